-- PDF with Quarto (a post-render filter): Quarto writes each embedded notebook output as a Div, in Typst a
-- #block[…] that the pandoc+Typst path does not have. A figure inside a block cannot float (brand.py: charts
-- float to the top or bottom of a page, else the next), and a block changes where the pages break. So every
-- Div left after Quarto's own processing (callouts became the brand's boxes before it, callout.lua) is
-- replaced by its content: its id only named the embedded cell, and nothing refers to it.
function Div(el)
  return el.content
end
