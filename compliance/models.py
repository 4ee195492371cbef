"""Ad-law rulebook, review queue, moderation and AIGC labelling."""
