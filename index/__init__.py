"""The write side of the engine and everything both sides share: analysis and the index contract.

Layers, bottom up; a module imports only from its own layer or below, and nothing here
imports ``search`` or ``web``:

1. **Text analysis** — ``normalize`` (letters), ``stemmer`` (light stemming with corpus
   evidence), ``analysis`` (tokens with spans, exact and stem terms).  Used by indexing,
   queries, snippets and entities alike.
2. **The index contract** — ``contract`` (fields, boosts, facets, the documents a backend
   stores and returns), ``layout`` (a Whoosh index directory, its metadata, the analysis
   fingerprint), ``store`` (the write half of the backend protocol), ``whoosh_schema``,
   ``whoosh_facets`` (the Whoosh form of the contract).
3. **The write side** — ``ingest``, ``cleaning``, ``dates`` (sources into articles),
   ``entities`` (people, organizations, places), ``document`` (an article into index
   fields), ``whoosh_writer`` (the Whoosh store), ``stores`` (which store a location
   names), ``build`` (indexing runs).
"""
