"""Filled handlingsplan files for the tests of every stage (domain, data, present): the template as a person
fills it in, and a copy with a hidden sheet."""

import openpyxl

from analysis.data.handlingsplan import write_template
from analysis.domain.handlingsplan import load_spec
from analysis.domain.strategy import load_strategy

GOOD = [
    (2024, "5. Samarbete mellan offentliga aktörer", "Gemensam lägesbild", "Länsstyrelsen Blekinge; Migrationsverket",
     "genomförd", "", None),
    (2024, "3", "Arbetsgivarträff", "Arbetsförmedlingen; Olofströms kommun", "Pågår", "Två av tre träffar",
     "sysselsattningsgrad"),
]


def fill(template, path, rows):
    wb = openpyxl.load_workbook(template)
    ws = wb["Handlingsplan"]
    for i, r in enumerate(rows, start=2):
        for j, v in enumerate(r, start=1):
            ws.cell(row=i, column=j, value=v)
    wb.save(path)
    return path


def make_template(root, catalogue, path):
    """Blekinge's empty template, as ``analysis handlingsplan mall --county 10`` writes it."""
    return write_template(load_strategy("10", root), catalogue, path, load_spec(root))


def with_hidden_copy(template, path, visible_rows, hidden_rows, rename_visible=None):
    """The template filled with ``visible_rows``, plus a hidden sheet "Handlingsplan" holding ``hidden_rows``
    (the visible one renamed when ``rename_visible``), as a person who copied a sheet and hid the old one."""
    fill(template, path, visible_rows)
    wb = openpyxl.load_workbook(path)
    ws = wb["Handlingsplan"]
    copy = wb.copy_worksheet(ws)
    for row in copy.iter_rows(min_row=2):
        for c in row:
            c.value = None
    for i, r in enumerate(hidden_rows, start=2):
        for j, v in enumerate(r, start=1):
            copy.cell(row=i, column=j, value=v)
    if rename_visible:
        ws.title, copy.title = rename_visible, "Handlingsplan"
    else:
        copy.title = "Gammal plan"
    copy.sheet_state = "hidden"
    wb.save(path)
    return path
