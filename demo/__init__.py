"""The demo company that ``manage.py seed_demo`` builds (``make run`` seeds it on a fresh
machine; the browser tests and the benchmarks build theirs with it).

It is a package of its own, beside the apps rather than inside them, because it draws on all
of them (people and their graph, employment history, posts, albums) and none of them needs it
to run: the product never imports it, so its generators (Faker, the painters) stay out of a
production process. What the company is made of, the names of its offices and departments,
skills, post texts, album titles and captions, colours, are data (``demo/data/*.toml``);
the modules here are the rules that draw a believable company from them with one seed:

* ``company``: departments, offices, people, avatars and the social graph (``profiles``);
* ``history``: employment periods and alumni profiles (``alumni``);
* ``posts``: status updates with comments and likes (``feed``);
* ``albums`` and ``painters``: photo albums through the real upload pipeline (``photos``).
"""
