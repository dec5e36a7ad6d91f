""".env.example names every environment variable the settings (and the deploy scripts) read.

The variables are found by parsing the source with `ast`, never from a hand-written list: every
`os.getenv(...)`, `os.environ.get(...)`, `os.environ[...]`, and every call of an env helper (a
top-level function of the settings that reads the variable named by its first parameter).
"""

import ast
import re
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
SETTINGS = BASE_DIR / "portal" / "settings.py"
# Read by `make serve` (deploy/serve.py) and gunicorn; documented beside the settings' variables.
DEPLOY = [BASE_DIR / "deploy" / "serve.py", BASE_DIR / "deploy" / "gunicorn.conf.py"]
ENV_EXAMPLE = BASE_DIR / ".env.example"


def _is_os_environ(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "environ"
        and isinstance(node.value, ast.Name)
        and node.value.id == "os"
    )


def _env_read(node: ast.AST) -> ast.expr | None:
    """The name argument of a direct read of the environment (`os.getenv`, `os.environ.get`,
    `os.environ[...]`), or None if the node is not one."""
    if isinstance(node, ast.Call) and node.args:
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "getenv" and isinstance(func.value, ast.Name):
            return node.args[0] if func.value.id == "os" else None
        if isinstance(func, ast.Attribute) and func.attr == "get" and _is_os_environ(func.value):
            return node.args[0]
    if isinstance(node, ast.Subscript) and _is_os_environ(node.value):
        return node.slice
    return None


def _env_helpers(tree: ast.Module) -> set[str]:
    """Top-level functions that read the variable named by their first parameter."""
    helpers = set()
    for fn in tree.body:
        if isinstance(fn, ast.FunctionDef) and fn.args.args:
            first = fn.args.args[0].arg
            for node in ast.walk(fn):
                arg = _env_read(node)
                if isinstance(arg, ast.Name) and arg.id == first:
                    helpers.add(fn.name)
    return helpers


def variables_read(path: Path, *, strict: bool) -> set[str]:
    """Every variable name the module reads. strict: a read whose name is not a string literal (other
    than a helper's own parameter) fails, since no test could tell which variable it is."""
    tree = ast.parse(path.read_text(), filename=str(path))
    helpers = _env_helpers(tree)
    helper_bodies = {
        id(n) for fn in tree.body if isinstance(fn, ast.FunctionDef) and fn.name in helpers for n in ast.walk(fn)
    }
    names, opaque = set(), []
    for node in ast.walk(tree):
        arg = _env_read(node)
        if arg is None and isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in helpers:
            arg = node.args[0] if node.args else None
        if arg is None:
            continue
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            names.add(arg.value)
        elif id(node) not in helper_bodies:
            opaque.append(f"{path.name}:{arg.lineno}")
    if strict:
        assert not opaque, f"environment read with a computed name (use a literal): {opaque}"
    return names


def example_variables() -> dict[str, str]:
    """NAME -> the comment line just above its assignment in .env.example ('' if none)."""
    found: dict[str, str] = {}
    previous = ""
    for line in ENV_EXAMPLE.read_text().splitlines():
        match = re.match(r"([A-Z][A-Z0-9_]*)=", line)
        if match:
            assert match.group(1) not in found, f"{match.group(1)} is in .env.example twice"
            found[match.group(1)] = previous if previous.startswith("#") else ""
        previous = line.strip()
    return found


def test_the_scan_finds_the_settings_variables_through_every_kind_of_read():
    read = variables_read(SETTINGS, strict=True)
    # One literal example of each kind of read the settings use today: helper calls of every helper.
    assert {"SECRET_KEY", "DEBUG", "CONN_MAX_AGE", "ALLOWED_HOSTS", "API_THROTTLE_ANON", "EMAIL_URL"} <= read
    assert len(read) >= 50


def test_the_scan_sees_direct_reads_and_helpers_and_refuses_computed_names(tmp_path):
    module = tmp_path / "settings.py"
    module.write_text(
        "import os\n"
        "def envthing(name, default):\n    return os.environ.get(name, default)\n"
        "A = os.getenv('A_VAR')\nB = os.environ['B_VAR']\nC = envthing('C_VAR', '1')\n"
    )
    assert variables_read(module, strict=True) == {"A_VAR", "B_VAR", "C_VAR"}
    module.write_text(module.read_text() + "D = os.getenv('D_' + 'VAR')\n")
    try:
        variables_read(module, strict=True)
    except AssertionError as error:
        assert "settings.py:7" in str(error)
    else:
        raise AssertionError("a computed variable name went unnoticed")


def test_env_example_names_every_variable_the_settings_read():
    missing = variables_read(SETTINGS, strict=True) - set(example_variables())
    assert not missing, f".env.example lacks {sorted(missing)}: add each with a comment and its default"


def test_env_example_names_every_variable_make_serve_reads():
    read = set().union(*(variables_read(path, strict=False) for path in DEPLOY))
    missing = read - set(example_variables())
    assert not missing, f".env.example lacks {sorted(missing)}: add each with a comment and its default"


def test_env_example_names_nothing_that_nobody_reads():
    read = variables_read(SETTINGS, strict=True).union(*(variables_read(p, strict=False) for p in DEPLOY))
    stale = set(example_variables()) - read
    assert not stale, f".env.example lists {sorted(stale)}, which nothing reads"


def test_every_variable_in_env_example_has_a_comment_with_its_default():
    undocumented = [name for name, comment in example_variables().items() if "default" not in comment.lower()]
    assert not undocumented, f"give these a comment line saying what they do and their default: {undocumented}"
