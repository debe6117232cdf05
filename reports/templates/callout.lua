-- PDF, both renderers: callout divs become the brand's callout box (brand.py: #brand-callout). Quarto runs it
-- as a filter before its own callout handling (`filters:` in the typst format, analysis.publish.qmd).
function Div(el)
  for _, kind in ipairs({"warning", "note", "important", "tip", "caution"}) do
    if el.classes:includes("callout-" .. kind) then
      local k = (kind == "warning" or kind == "important" or kind == "caution") and "warning" or "note"
      local out = {pandoc.RawBlock("typst", '#brand-callout(kind: "' .. k .. '")[')}
      for _, b in ipairs(el.content) do table.insert(out, b) end
      table.insert(out, pandoc.RawBlock("typst", "]"))
      return out
    end
  end
end
