"""The environment the prepare job built is the one the constraints pin.

Runs in the test jobs after the tarball is unpacked and activated: every
`name==version` line of constraints.txt must be what is installed, the
interpreter must be the venv's, and every data project must be unpacked
beside it.
"""
import importlib.metadata
import os
import re
import sys
import unittest

PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)\s*===?\s*([^\s;#]+)")


def pins(path="constraints.txt"):
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = PIN.match(line.strip())
            if m:
                yield m.group(1), m.group(2)


class TestPreparedEnvironment(unittest.TestCase):
    def test_runs_in_the_venv(self):
        self.assertEqual(os.path.realpath(sys.prefix), os.path.realpath(os.environ["VIRTUAL_ENV"]))

    def test_pinned_versions_are_installed(self):
        found = list(pins())
        self.assertTrue(found, "constraints.txt pins nothing")
        for name, version in found:
            with self.subTest(package=name):
                self.assertEqual(importlib.metadata.version(name), version)
                # and it imports, from the venv
                module = importlib.import_module(name.replace("-", "_").lower())
                self.assertTrue(os.path.realpath(module.__file__).startswith(os.path.realpath(sys.prefix)))

    def test_data_projects_are_unpacked(self):
        for project in os.environ.get("DATA_PROJECTS", "").split():
            with self.subTest(project=project):
                path = os.path.join(os.environ["SOFTWARE_DIR"], project.rsplit("/", 1)[-1])
                self.assertTrue(os.path.isdir(path) and os.listdir(path), path)


if __name__ == "__main__":
    unittest.main()
