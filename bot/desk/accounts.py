"""Staff accounts of the desk, managed from the command line (there is no sign-up page).

    .venv/app/bin/python -m bot.desk.accounts create <username> --role staff|admin
    .venv/app/bin/python -m bot.desk.accounts set-password <username>
    .venv/app/bin/python -m bot.desk.accounts disable <username>
    .venv/app/bin/python -m bot.desk.accounts enable <username>
    .venv/app/bin/python -m bot.desk.accounts list

The password is asked twice without echo; with --password-stdin it is read from the first line of
standard input instead (for scripts and tests; it never appears in the process list). The database
is the one of the WEGWIJS_* settings, brought up to date first. Disabling an account or setting
its password ends its open desk sessions at once. Exit codes: 0 done, 1 refused (the message
says why), 2 wrong usage.
"""

from __future__ import annotations

import argparse
import getpass
import re
import sys
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.db import StaffSession, StaffUser, make_engine
from bot.desk.passwords import WeakPassword, hash_password

ROLES = ("staff", "admin")
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,79}$")


class AccountError(ValueError):
    """An account change that cannot be made; the message says why."""


@dataclass(frozen=True)
class Account:
    username: str
    role: str
    active: bool


def normalise_username(username: str) -> str:
    """Usernames are case-insensitive: "Anna" and "anna" are one account."""
    name = username.strip().lower()
    if not _USERNAME.match(name):
        raise AccountError(
            "a username has 2-80 characters: letters, digits, '.', '_', '@' or '-', "
            "starting with a letter or digit"
        )
    return name


def create(db: Engine, username: str, password: str, role: str) -> Account:
    name = normalise_username(username)
    if role not in ROLES:
        raise AccountError(f"the role must be one of {', '.join(ROLES)}")
    password_hash = _hash(password)
    try:
        with Session(db) as session, session.begin():
            session.add(StaffUser(username=name, password_hash=password_hash, role=role))
    except IntegrityError:
        raise AccountError(f"an account named {name!r} already exists") from None
    return Account(name, role, True)


def set_password(db: Engine, username: str, password: str) -> None:
    password_hash = _hash(password)
    with Session(db) as session, session.begin():
        user = _get(session, username)
        user.password_hash = password_hash
        session.execute(delete(StaffSession).where(StaffSession.staff_id == user.id))


def set_active(db: Engine, username: str, active: bool) -> None:
    with Session(db) as session, session.begin():
        user = _get(session, username)
        user.active = active
        if not active:
            session.execute(delete(StaffSession).where(StaffSession.staff_id == user.id))


def accounts(db: Engine) -> list[Account]:
    with Session(db) as session:
        users = session.scalars(select(StaffUser).order_by(StaffUser.username))
        return [Account(u.username, u.role, u.active) for u in users]


def _get(session: Session, username: str) -> StaffUser:
    name = normalise_username(username)
    user = session.scalars(select(StaffUser).where(StaffUser.username == name)).first()
    if user is None:
        raise AccountError(f"there is no account named {name!r}")
    return user


def _hash(password: str) -> str:
    try:
        return hash_password(password)
    except WeakPassword as exc:
        raise AccountError(str(exc)) from None


# ---------------------------------------------------------------------- command line
def read_password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        return line[:-1] if line.endswith("\n") else line
    first = getpass.getpass("Password: ")
    if getpass.getpass("Password again: ") != first:
        raise AccountError("the two passwords are not the same")
    return first


def parser() -> argparse.ArgumentParser:
    cli = argparse.ArgumentParser(
        prog="python -m bot.desk.accounts", description="Manage the staff accounts of the desk."
    )
    commands = cli.add_subparsers(dest="command", required=True)
    new = commands.add_parser("create", help="create an account")
    new.add_argument("username")
    new.add_argument("--role", choices=ROLES, default="staff")
    new.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    change = commands.add_parser("set-password", help="set a new password (ends its sessions)")
    change.add_argument("username")
    change.add_argument("--password-stdin", action="store_true")
    for name, text in (("disable", "stop an account from logging in"), ("enable", "undo disable")):
        commands.add_parser(name, help=text).add_argument("username")
    commands.add_parser("list", help="list the accounts")
    return cli


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    from core.config import Settings  # here, so --help works without a valid environment

    try:
        if args.command in ("create", "set-password"):
            normalise_username(args.username)  # refuse a bad name before asking the password
            password = read_password(args.password_stdin)
        db = make_engine(Settings().database_url)
        try:
            if args.command == "create":
                account = create(db, args.username, password, args.role)
                print(f"created {account.role} account {account.username!r}")
            elif args.command == "set-password":
                set_password(db, args.username, password)
                print(f"password set for {normalise_username(args.username)!r}")
            elif args.command in ("disable", "enable"):
                set_active(db, args.username, args.command == "enable")
                print(f"{args.command}d {normalise_username(args.username)!r}")
            else:
                if not accounts(db):
                    print("no accounts yet", file=sys.stderr)
                for account in accounts(db):
                    state = "active" if account.active else "disabled"
                    print(f"{account.username}\t{account.role}\t{state}")
        finally:
            db.dispose()
    except AccountError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except (KeyboardInterrupt, EOFError):
        print("\naborted", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
