"""The audience table of DESIGN.md, written once for every test that checks it: who sees
Ana's content of each visibility, by how they stand to her."""

SEES = {
    "company": {
        "author": True,
        "employee connection": True,
        "employee stranger": True,
        "alumnus connection": False,
        "alumnus stranger": False,
    },
    "network": {
        "author": True,
        "employee connection": True,
        "employee stranger": True,
        "alumnus connection": True,
        "alumnus stranger": True,
    },
    "connections": {
        "author": True,
        "employee connection": True,
        "employee stranger": False,
        "alumnus connection": True,
        "alumnus stranger": False,
    },
}
