"""The built-in offline poster compositor (Pillow): layout templates, text setting, fonts.

The image backend `generation.backends.image.compositor.CompositorBackend` is its entry point;
`plan()` gives a poster's geometry without drawing it, `label_slot()` the AI label's box.
"""
