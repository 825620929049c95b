"""Copies the workspace folders (rules, playbooks, notebooks) into the wheel as package data.

In a source checkout or an editable install they are read from the repository itself
(see workbench/resources.py); an installed wheel reads `workbench/bundled/<kind>`.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

BUNDLED_FOLDERS = ("rules", "playbooks", "notebooks")
BUNDLED_FILES = ("schedule.yaml",)


class BuildWithBundledFolders(build_py):
    def run(self) -> None:
        super().run()
        root = Path(__file__).parent
        for name in BUNDLED_FOLDERS:
            source = root / name
            if source.is_dir():
                target = Path(self.build_lib) / "workbench" / "bundled" / name
                shutil.rmtree(target, ignore_errors=True)
                shutil.copytree(source, target, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
        for name in BUNDLED_FILES:
            if (root / name).is_file():
                shutil.copy2(root / name, Path(self.build_lib) / "workbench" / "bundled" / name)


setup(cmdclass={"build_py": BuildWithBundledFolders})
