"""Password hashing. The method is a setting (PASSWORD_HASH_METHOD) only so that the test suite, which logs in
thousands of times, can use a cheap one; production refuses anything weaker than the default."""
from __future__ import annotations

import hashlib

from werkzeug.security import check_password_hash, generate_password_hash

from ...core.services import setting

# The default, werkzeug's "scrypt" (n=2**15, r=8, p=1): deliberately slow and memory-hard against offline guessing.
_SCRYPT_FLOOR = (2**15, 8, 1)

# A hash to compare against when the user does not exist, made with the configured method so that both paths
# cost the same time; one per method, made on first use (not at import: it costs as much as a login).
_dummy_hashes: dict[str, str] = {}


def hash_method_problem(method: str, *, production: bool) -> str | None:
    """Why `method` cannot be used (a malformed method; in production, one weaker than the default), or None."""
    name, *args = method.split(":")
    try:
        numbers = [int(a) for a in (args[1:] if name == "pbkdf2" else args)]
    except ValueError:
        return f"malformed password hash method {method!r}"
    if name == "scrypt":
        if args and len(numbers) != 3:
            return f"scrypt takes n:r:p, not {method!r}"
        if production and args and any(have < floor for have, floor in zip(numbers, _SCRYPT_FLOOR)):
            return f"{method!r} is weaker than the default scrypt:{':'.join(map(str, _SCRYPT_FLOOR))}"
        return None
    if name == "pbkdf2":
        if len(args) > 2 or (args and args[0] not in hashlib.algorithms_available):
            return f"pbkdf2 takes hash:iterations, not {method!r}"
        # Not memory-hard, whatever the iteration count: weaker than scrypt against GPU guessing.
        return f"{method!r} is weaker than the default scrypt" if production else None
    return f"unknown password hash method {method!r} (scrypt or pbkdf2)"


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=setting("PASSWORD_HASH_METHOD"))


def password_matches(stored_hash: str | None, password: str) -> bool:
    """Check a password against a stored hash; with no hash (no such user) a dummy is checked, so that an
    unknown user costs as much time as a wrong password."""
    if stored_hash is None:
        method = setting("PASSWORD_HASH_METHOD")
        if method not in _dummy_hashes:
            _dummy_hashes[method] = generate_password_hash("not-a-real-password", method=method)
        check_password_hash(_dummy_hashes[method], password)
        return False
    return check_password_hash(stored_hash, password)
