"""Shipped files: stylesheets, icons, lessons and example scripts
(``importlib.resources.files("gradviz.resources")``)."""
