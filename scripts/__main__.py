"""python -m scripts …: the command line (scripts/cli.py), with a Chinese answer instead of a traceback when it
is run by a Python that lacks the project's packages (outside .venv, the commonest first mistake)."""

import sys
from pathlib import Path

try:
    from .cli import main
except ModuleNotFoundError as missing:  # a dependency, not our own code: our modules are all here
    if missing.name and missing.name.split(".")[0] == "scripts":
        raise
    venv_python = Path(__file__).resolve().parents[1] / ".venv" / ("Scripts/python.exe" if sys.platform == "win32"
                                                                   else "bin/python")
    print(f"缺少运行所需的软件包 {missing.name}（missing package）："
          f"这个 Python（{sys.executable}）没有装本项目的依赖。\n"
          f"先运行 make setup（或 make build、make serve，它们会自动安装），再用项目自己的 Python：\n"
          f"  {venv_python} -m scripts {' '.join(sys.argv[1:])}".rstrip(), file=sys.stderr)
    sys.exit(1)

sys.exit(main())
