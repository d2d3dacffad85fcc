"""Station lists in Excel/WPS workbooks and CSV files: ``python -m scripts import`` and ``export``.

One module per stage, in the order an import runs:

* ``columns``  — the workbook's layout, declared once: each column's Chinese header, the header variants
  district offices write, the station field it fills. Reading, writing and the template derive from it.
* ``table``    — opening a ``.xlsx`` or ``.csv`` (UTF-8, UTF-8 with BOM or GBK), finding the header row
  below a title row or in merged cells, and the rows under it; ``CellProblem`` names file, sheet, row, column.
* ``cells``    — one cell's messy text as a station value: 9：00—18：00, 周一至周五…, 饮水、充电, 高德, a phone
  number Excel stored as a number.
* ``plan``     — rows matched to the station files (by 编号, else 名称 + 地址): what would be created, updated
  or left unchanged, compared by meaning, so a sheet imported twice changes nothing.
* ``stage``    — the new files' text (the scaffold's template; an existing file patched value by value, its
  comments kept), checked by the project's validator in a copy of ``data/`` before anything is written.
* ``workbook`` — writing: the export, and the template with drop-down lists that the site offers for download.
* ``importer`` and ``exporter`` — the two commands.
"""
