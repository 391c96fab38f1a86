"""The demo series: three SEND reform workshops, kept as YAML in demo/content/.

The top layer: it may import any other app, and nothing imports it.
"""

# Where the demo is served unless `seed_demo --url` says otherwise: the Makefile's defaults.
URL = "http://127.0.0.1:8000/"
