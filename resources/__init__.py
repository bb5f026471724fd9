"""Shipped files: stylesheets, icons and example scripts (``importlib.resources.files("gradviz.resources")``)."""
