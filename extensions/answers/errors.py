"""The one error every answer rule raises."""


class AnswerError(ValueError):
    """An answer breaks one of the template's rules; the message names the value and rule."""
