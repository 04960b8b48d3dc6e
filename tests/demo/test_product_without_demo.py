"""The demo is for ``make run``, the browser tests and the benchmarks; the product never needs
it. Every module of the apps and the project (web, API, sockets, tasks, admin, commands) is
imported in a fresh process, and neither the demo package nor its generator (Faker) comes
along, so a production install can leave them out."""

from tests.processes import manage, printed_json

IMPORT_THE_PRODUCT = """
import importlib, json, pkgutil, sys
import socialblue.asgi, socialblue.urls
from socialblue.celery import app
app.loader.import_default_modules()
ENTRY_POINT = "socialblue.management.commands.seed_demo"
imported = []
for package in ("socialblue", "profiles", "feed", "photos", "exports", "alumni", "frontend"):
    root = importlib.import_module(package)
    for module in pkgutil.walk_packages(root.__path__, prefix=package + "."):
        if module.name != ENTRY_POINT and ".migrations." not in module.name:
            importlib.import_module(module.name)
            imported.append(module.name)
print(json.dumps({
    "modules": len(imported),
    "demo": sorted(name for name in sys.modules if name == "demo" or name.startswith("demo.")),
    "faker": sorted(name for name in sys.modules if name.split(".")[0] == "faker"),
}))
"""


def test_the_product_imports_neither_the_demo_nor_faker(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "DEBUG": "1", "SOCIALBLUE_VAR_DIR": str(tmp_path / "var")}

    seen = printed_json(manage("shell", "--no-imports", "-c", IMPORT_THE_PRODUCT, env=env))

    assert seen["modules"] > 50
    assert seen["demo"] == []
    assert seen["faker"] == []
