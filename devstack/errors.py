class StackError(Exception):
    """A fault the user can fix; its message is one sentence saying what is wrong and what to do."""
