"""The county's text for the årsredovisning as a document: DOCX (pandoc, Swedish styles) and plain text.

`analysis render` calls :func:`write_documents` for every document the report model carries (the county
report's årsredovisning, :class:`analysis.present.model.Document`); the files land beside
``rapport.html``/``rapport.pdf``. Every sentence is composed in present (:mod:`analysis.present.annual`, from
:func:`analysis.present.annual.annual_text`, the same function the report shows; real
sentences only); this module only converts the model's markdown with the document's style.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
import zipfile
from pathlib import Path


def _pandoc() -> str:
    import pypandoc

    return pypandoc.get_pandoc_path()


def reference_docx(path: Path, style: dict) -> Path:
    """Pandoc's default reference.docx with the document's language, font and heading colour (``style``)."""
    default = subprocess.run([_pandoc(), "--print-default-data-file", "reference.docx"], capture_output=True,
                             check=True).stdout
    src = path.with_suffix(".orig.docx")
    src.write_bytes(default)
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "word/styles.xml":
                xml = data.decode("utf-8")
                # every language attribute (default run properties and styles) -> Swedish
                xml = re.sub(r'(<w:lang\b[^>]*?)w:val="[^"]*"', rf'\1w:val="{style["lang"]}"', xml)
                xml = re.sub(r'w:eastAsia="[^"]*"', f'w:eastAsia="{style["lang"]}"', xml)
                xml = re.sub(r'(<w:rFonts\b)[^>]*?/>', rf'\1 w:ascii="{style["font"]}" w:hAnsi="{style["font"]}" '
                             rf'w:eastAsia="{style["font"]}" w:cs="{style["font"]}"/>', xml)
                colour = f'<w:color w:val="{style["heading_colour"]}" />'
                xml = re.sub(r'<w:style\b[^>]*w:styleId="(?:Heading[1-6]|Title)".*?</w:style>',
                             lambda m: re.sub(r"<w:color\b[^>]*/>", colour, m.group(0)), xml, flags=re.S)
                data = xml.encode("utf-8")
            elif item.filename == "word/settings.xml":
                data = re.sub(rb'(<w:themeFontLang\b[^>]*?)w:val="[^"]*"', rb'\1w:val="' + style["lang"].encode() + b'"',
                              data)
            zout.writestr(item, data)
    src.unlink()
    return path


def write_files(md: str, folder: Path, files: dict, style: dict) -> list[Path]:
    """``files["docx"]`` (via pandoc and the generated reference document) and ``files["text"]``."""
    import pypandoc

    folder.mkdir(parents=True, exist_ok=True)
    docx, txt = folder / files["docx"], folder / files["text"]
    with tempfile.TemporaryDirectory() as tmp:
        ref = reference_docx(Path(tmp) / "reference.docx", style)
        pypandoc.convert_text(md, "docx", format="markdown", outputfile=str(docx),
                              extra_args=[f"--reference-doc={ref}", f"--metadata=lang:{style['lang']}"])
    plain = pypandoc.convert_text(md, "plain", format="markdown", extra_args=["--columns=100"])
    txt.write_text(plain, encoding="utf-8")
    return [docx, txt]


def write_documents(model, folder: Path) -> list[Path]:
    """Every document of the report model (:attr:`analysis.present.model.ReportModel.documents`) as DOCX and
    plain text in ``folder``."""
    out = []
    for doc in model.documents:
        out += write_files(doc.markdown, Path(folder), doc.files, doc.style)
    return out
