"""The read side of the engine, and the command line.

Layer 4 of the stack (``index`` holds layers 1–3 and never imports this package):

* the query model (``request``) and the result model (``results``), shared by every front end;
* the query language (``querytree``, ``query``, ``daterange``);
* the read half of the backend protocol (``backend``) and its Whoosh implementation
  (``whoosh_backend``, ``whoosh_query``, ``matches``, ``facets``);
* what every backend's results go through: ``snippets``, ``spelling``, ``similar``
  (through the backend), ``profiles`` (entity pages), ``complete``, ``explain``,
  ``histogram`` (the date facet, its interval fitted to the span of the matches);
* ``engine``: one search from request to result, or a whole result set (``export``: CSV, JSONL).

Layer 5, the front ends: ``search.cli`` here and the ``web`` package.  Neither imports the
other, and nothing else imports the CLI.
"""
