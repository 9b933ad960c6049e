"""The customisable "Introduction to reflective practice" workshop pack: its content, the form
that customises it and the builder that turns the choices into a PDF."""
