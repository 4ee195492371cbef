"""Dashboard pages of the ad-law check (copy check, review queue, evidence and custom rules) and
the staff moderation pages. Views parse input, call one service or selector, and render."""
