-- PDF, both renderers: callout divs become the brand's callout box (brand.py: #brand-callout), and "..." stays
-- three full stops (Str, below). Quarto runs it as a filter before its own callout handling (`filters:` in the
-- typst format, analysis.publish.qmd).
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

-- PDF, both renderers: three full stops stay three full stops. Typst's markup reads "..." as its shorthand for
-- "…", and pandoc's Typst writer does not escape dots, so a quoted "arbete, språk..." would change in the PDF
-- only; each "..." in text is written as Typst's escaped dots instead.
function Str(el)
  if not FORMAT:match("typst") or not el.text:find("...", 1, true) then return nil end
  local out, rest = {}, el.text
  while true do
    local i = rest:find("...", 1, true)
    if not i then break end
    if i > 1 then table.insert(out, pandoc.Str(rest:sub(1, i - 1))) end
    table.insert(out, pandoc.RawInline("typst", "\\.\\.\\."))
    rest = rest:sub(i + 3)
  end
  if #rest > 0 then table.insert(out, pandoc.Str(rest)) end
  return out
end
