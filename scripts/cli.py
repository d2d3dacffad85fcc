"""Command line: a few lines per command over the importable core.

    python -m scripts validate   # check data/, print every problem in Chinese
    python -m scripts build      # validate, generate pages, build site/
    python -m scripts serve      # live preview, rebuilding when data/, docs/, overrides/ or templates change
    python -m scripts schema     # regenerate data/schemas/*.schema.json and each data file's schema line
    python -m scripts new station|story|service|event   # write a new, valid, commented record
    python -m scripts nginx      # print the nginx configuration for serving site/ (scripts/deploy/nginx.py)
    python -m scripts from-issue <file|->   # a submitted issue form → a new record, or a correction as a diff
    python -m scripts import <file.xlsx|file.csv> [--write]   # a station spreadsheet → station files (dry run first)
    python -m scripts export <file.xlsx|file.csv> [--template]   # the stations in the same layout, or the template
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from .editors import from_issue, scaffold
from .editors.spreadsheet import exporter, importer
from .pipeline import build as pipeline
from .pipeline.problems import DataError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts", description="忻府区新就业群体服务网站的构建工具")
    parser.add_argument("--data", type=Path, help="数据目录（默认 data/）")
    parser.add_argument("--site", type=Path, help="输出目录（默认 site/）")
    parser.add_argument("--work", type=Path, help="中间文件目录（默认 build/）")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("validate", help="校验数据")
    build = commands.add_parser("build", help="校验并生成网站")
    build.add_argument("--publish", action="store_true",
                       help="正式发布的构建：示例网址、示例联系方式、缺少的备案号等会让构建失败（而不只是警告）")
    build.add_argument("--plain-mkdocs", action="store_true",
                       help="驿站页也按 MkDocs 原本的方式逐页生成（慢；用于对照，结果应完全相同）")
    serve = commands.add_parser("serve", help="本地预览，修改后自动重建")
    serve.add_argument("--dev-addr", default="127.0.0.1:8000", help="地址:端口")
    commands.add_parser("schema", help="重新生成 data/schemas 下的 JSON Schema 和 .github/ISSUE_TEMPLATE 下的议题表单，"
                        "并更新数据文件第一行的 schema 说明")
    scaffold.add_arguments(commands.add_parser("new", help="新建一条记录：驿站、动态、服务或活动（new record）"))
    from_issue.add_arguments(commands.add_parser(
        "from-issue", help="把提交的议题表单变成一条记录，或显示对驿站的修改（from issue）"))
    importer.add_arguments(commands.add_parser(
        "import", help="从 Excel/WPS 表格或 CSV 导入驿站：默认只预演，--write 写入（import spreadsheet）"))
    exporter.add_arguments(commands.add_parser(
        "export", help="把驿站导出成同样格式的表格，或用 --template 生成导入模板（export spreadsheet）"))
    nginx = commands.add_parser("nginx", help="生成在自己的服务器上发布网站用的 nginx 配置（nginx configuration）")
    nginx.add_argument("--root", default="/srv/xinfu/site", help="服务器上放网站文件（site/ 的内容）的目录")
    nginx.add_argument("--server-name", default="_", help="网站域名，多个用空格分开（默认 _：任何域名）")
    nginx.add_argument("--listen", action="append", help="监听地址，可写多次（默认 80 和 [::]:80）")
    nginx.add_argument("--brotli", action="store_true", help="也发送 .br 文件（需要 libnginx-mod-http-brotli-static）")
    nginx.add_argument("--output", type=Path, help="写入这个文件（默认打印出来）")
    args = parser.parse_args(argv)

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    if args.command == "serve":
        logging.getLogger("mkdocs").setLevel(logging.INFO)  # shows the preview address
    project = pipeline.Project(
        data_dir=(args.data or pipeline.ROOT / "data").resolve(),
        work_dir=(args.work or pipeline.ROOT / "build").resolve(),
        site_dir=(args.site or pipeline.ROOT / "site").resolve(),
        publish=getattr(args, "publish", False),
        fast_pages=not getattr(args, "plain_mkdocs", False),
    )
    try:
        return _run(args, project)
    except DataError as error:
        print(error.report(), file=sys.stderr)
        return 1
    except pipeline.BuildFailed as error:
        print(f"构建失败（build failed）：{error}\n已发布的 site/ 保持不变。", file=sys.stderr)
        return 1


def _run(args: argparse.Namespace, project: pipeline.Project) -> int:
    if args.command == "validate":
        catalogue = pipeline.load_catalogue(project)
        print(f"数据校验通过（data OK）：{len(catalogue.stations)} 个驿站，{len(catalogue.services)} 项服务，"
              f"{len(catalogue.projects)} 个志愿项目，{len(catalogue.stories)} 篇动态。")
    elif args.command == "build":
        report = pipeline.build(project)
        stages = "，".join(f"{stage} {seconds:.2f}s" for stage, seconds in report.seconds.items())
        in_memory = f"，另有 {report.files_in_memory} 个记录文件直接交给 MkDocs" if report.files_in_memory else ""
        print(f"网站已生成（built）：{project.site_dir}\n页面 {report.pages_written} 个有变化、"
              f"{report.pages_unchanged} 个未变{in_memory}；用时 {stages}")
    elif args.command == "serve":
        from .preview.serve import serve

        serve(project, args.dev_addr)
    elif args.command == "schema":
        from .editors.issue_forms import write_forms
        from .editors.schemas import link_data_files, write_schemas

        for path in [*write_schemas(project), *link_data_files(project), *write_forms(project)]:
            print(f"已写入 {os.path.relpath(path)}")
    elif args.command == "new":
        return scaffold.run(project, args)
    elif args.command == "from-issue":
        return from_issue.run(project, args)
    elif args.command == "import":
        return importer.run(project, args)
    elif args.command == "export":
        return exporter.run(project, args)
    elif args.command == "nginx":
        from .deploy import nginx

        server = nginx.Server(root=args.root, server_name=args.server_name, listen=args.listen or nginx.Server().listen,
                              brotli=args.brotli)
        try:
            text = nginx.project_config(project, server)
        except nginx.NginxConfigError as error:
            print(f"无法生成 nginx 配置：{error}", file=sys.stderr)
            return 1
        if args.output:
            args.output.write_text(text, encoding="utf-8")
            print(f"已写入 {args.output}")
        else:
            print(text, end="")
    return 0
