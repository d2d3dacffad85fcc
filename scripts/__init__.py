"""Build scripts: validate the YAML records and render them into a MkDocs site."""
