"""OpenAPI pieces for Klasses, by what they describe:

- bodies: the request bodies of the Klasses API (KObjects, Klasses, metadata, KViews, rules);
- org_klasses: the org's own Klasses as typed models and concrete paths (a postprocessing hook);
- attribute_bodies: the attribute names and values `custom` and `data` take in every request
  body (a postprocessing hook).
"""
