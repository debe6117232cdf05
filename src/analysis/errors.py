"""Errors the CLI shows as plain messages (no traceback)."""


class AnalysisError(Exception):
    """A problem the user can fix: bad input, unknown code, invalid data file."""


class UnknownAreaError(AnalysisError, KeyError):
    """A geography code or name that is not one of Sweden's kommuner, län or riket."""

    def __str__(self) -> str:  # KeyError would quote the message
        return self.args[0] if self.args else ""


class DataValidationError(AnalysisError):
    """A data file that breaks the tidy data contract; carries every problem found."""

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = problems
        super().__init__(f"{source}: {len(problems)} problem(s)\n" + "\n".join(f"  - {p}" for p in problems))
