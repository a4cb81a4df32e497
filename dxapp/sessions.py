"""The signed-cookie session, opened only when a view reads it.

Flask opens the session before it matches the URL, so every request paid for verifying the cookie's
signature and decoding it, including the stateless live panels (``policy(PUBLIC, stateless=True)``),
which read no session at all while the user types.  ``LazySession`` defers that work to the first read
or write; a request that never touches the session also writes no cookie (nothing was read or changed).
Reading or writing behaves exactly as Flask's ``SecureCookieSession``."""

from __future__ import annotations

from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature

#: Every mapping method of the session: each first loads the cookie's contents.
_METHODS = ("__getitem__", "__setitem__", "__delitem__", "__contains__", "__iter__", "__len__", "__eq__",
            "__ne__", "__repr__", "get", "setdefault", "pop", "popitem", "update", "clear", "keys", "values",
            "items", "copy")


def _loading(name: str):
    method = getattr(SecureCookieSession, name)

    def wrapper(self, *args, **kwargs):
        self._load()
        return method(self, *args, **kwargs)

    wrapper.__name__ = name
    return wrapper


class LazySession(SecureCookieSession):
    __hash__ = None  # a mutable mapping, as dict

    def __init__(self, loader=None) -> None:
        super().__init__()
        self._loader = loader

    def _load(self) -> None:
        loader, self._loader = self._loader, None
        if loader is not None:
            dict.update(self, loader())  # not a change: the cookie already holds it

    @property
    def loaded(self) -> bool:
        return self._loader is None


for _name in _METHODS:
    setattr(LazySession, _name, _loading(_name))


class LazySessionInterface(SecureCookieSessionInterface):
    session_class = LazySession

    def open_session(self, app, request):
        if not app.secret_key:
            return None  # Flask then makes a null session that refuses writes, as it does by default
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return LazySession()

        def load() -> dict:
            # Making the serializer derives the signing key: that too waits until the session is read.
            serializer = self.get_signing_serializer(app)
            max_age = int(app.permanent_session_lifetime.total_seconds())
            try:  # as Flask's own interface: a cookie with a bad signature is an empty session
                return serializer.loads(value, max_age=max_age)
            except BadSignature:
                return {}

        return LazySession(load)

    def save_session(self, app, session, response) -> None:
        if isinstance(session, LazySession) and not session.loaded:
            return  # never read nor changed: the cookie the browser holds stays as it is
        super().save_session(app, session, response)
