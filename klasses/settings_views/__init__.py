"""Settings pages for the data model (/settings/objects/…), admins only."""
