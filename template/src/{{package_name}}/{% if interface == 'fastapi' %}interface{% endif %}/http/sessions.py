"""One database session per request: committed when the request succeeds, else rolled back."""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session, sessionmaker


def request_session(request: Request) -> Iterator[Session]:
    """A session from the application's factory (``app.state.session_factory``).

    The application services commit their own transactions; what is left open
    when the request ends is committed, and everything is rolled back when the
    request fails.
    """
    factory: sessionmaker[Session] = request.app.state.session_factory
    with factory() as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


RequestSession = Annotated[Session, Depends(request_session)]
