"""The backends: each compiles the checked, typed rule trees for one way of running them.

`python` turns them into closures that judge one profile at a time (`Engine.evaluate`);
`polars` turns them into Polars expressions that judge whole tables (`Engine.score`). Both
implement the same meaning; the differential and conformance tests hold them to it.
"""
