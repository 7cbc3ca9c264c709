"""In-tree PEP 517 build backend, standard library only.

The client has no dependencies, and neither does building it: ``pip install ./clients/python`` works on a
machine with no package index (a training cluster behind a firewall), where the default setuptools backend
would first have to download setuptools and wheel. It builds one pure-Python wheel and an sdist from the
``[project]`` table of pyproject.toml.
"""

import base64
import hashlib
import io
import os
import re
import tarfile
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGE = "rewardkit_client"
PACKAGE_FILES = ("__init__.py", "py.typed")


def _project():
    with open(os.path.join(ROOT, "pyproject.toml"), encoding="utf-8") as f:
        text = f.read()
    table = re.search(r"^\[project\]\s*$(.*?)(?=^\[|\Z)", text, re.M | re.S)
    if table is None:
        raise ValueError("pyproject.toml has no [project] table")
    fields = dict(re.findall(r'^([A-Za-z-]+)\s*=\s*"([^"]*)"\s*$', table.group(1), re.M))
    for key in ("name", "version", "description", "requires-python"):
        if key not in fields:
            raise ValueError("pyproject.toml: [project] needs %s = \"...\"" % key)
    return fields


def _metadata(p):
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    return (
        "Metadata-Version: 2.1\n"
        "Name: %s\nVersion: %s\nSummary: %s\nRequires-Python: %s\nLicense: MIT\n"
        "Classifier: Typing :: Typed\nDescription-Content-Type: text/markdown\n\n%s"
        % (p["name"], p["version"], p["description"], p["requires-python"], readme)
    )


def _dist_name(p):
    return "%s-%s" % (re.sub(r"[-_.]+", "_", p["name"]), p["version"])


def _record_line(path, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return "%s,sha256=%s,%d" % (path, digest, len(data))


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    p = _project()
    base = _dist_name(p)
    info = base + ".dist-info"
    files = []
    for name in PACKAGE_FILES:
        with open(os.path.join(ROOT, PACKAGE, name), "rb") as f:
            files.append(("%s/%s" % (PACKAGE, name), f.read()))
    files.append((info + "/METADATA", _metadata(p).encode("utf-8")))
    wheel_meta = "Wheel-Version: 1.0\nGenerator: rewardkit_build\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    files.append((info + "/WHEEL", wheel_meta.encode()))
    record = [_record_line(path, data) for path, data in files] + [info + "/RECORD,,"]
    files.append((info + "/RECORD", ("\n".join(record) + "\n").encode()))
    filename = base + "-py3-none-any.whl"
    with zipfile.ZipFile(os.path.join(wheel_directory, filename), "w", zipfile.ZIP_DEFLATED) as z:
        for path, data in files:
            z.writestr(path, data)
    return filename


def build_sdist(sdist_directory, config_settings=None):
    p = _project()
    base = _dist_name(p)
    filename = base + ".tar.gz"
    with tarfile.open(os.path.join(sdist_directory, filename), "w:gz") as t:
        for rel in ["pyproject.toml", "README.md", "_build/rewardkit_build.py"] + [
            "%s/%s" % (PACKAGE, n) for n in PACKAGE_FILES
        ]:
            t.add(os.path.join(ROOT, rel), arcname="%s/%s" % (base, rel))
        info = _metadata(p).encode("utf-8")
        entry = tarfile.TarInfo("%s/PKG-INFO" % base)
        entry.size = len(info)
        t.addfile(entry, io.BytesIO(info))
    return filename
