"""The publish stage: plan a run, execute the notebooks in warm kernels (papermill), draw the static charts,
render HTML and PDF (Quarto, or pandoc + Typst), check them, and publish each report with its build record."""
