"""Reference oracle for pep440's differential test.

Reads one JSON request on stdin and writes one JSON answer on stdout, using
the packaging library that pip vendors. Exit status 3 means the import is
missing, and the Go test skips.
"""
import json
import sys

try:
    from pip._vendor.packaging.specifiers import InvalidSpecifier, Specifier, SpecifierSet
    from pip._vendor.packaging.version import InvalidVersion, Version
except ImportError as exc:  # pragma: no cover
    print(f"import packaging from pip: {exc}", file=sys.stderr)
    sys.exit(3)


def parse_version(text):
    try:
        return Version(text)
    except InvalidVersion:
        return None


def normalised_clause(clause):
    """Rebuild a clause around str(Version(...)).

    Older packaging compares ".*" and "~=" prefixes as unnormalised text, so
    "==01.*" never matches anything; pep440 (like packaging >= 22) normalises
    first. Feeding the normal form tests the shared semantics.
    """
    spec = Specifier(clause)
    op, ver = spec.operator, spec.version
    if op == "===":
        return op + ver
    star = ver.endswith(".*")
    if star:
        ver = ver[:-2]
    return op + str(Version(ver)) + (".*" if star else "")


def main():
    req = json.load(sys.stdin)
    versions = [parse_version(v) for v in req["versions"]]
    out = {
        "versions": [
            {"valid": v is not None, "str": str(v) if v is not None else ""}
            for v in versions
        ]
    }
    valid = [i for i, v in enumerate(versions) if v is not None]
    out["order"] = sorted(valid, key=lambda i: versions[i])
    out["compare"] = [
        None
        if versions[i] is None or versions[j] is None
        else (versions[i] > versions[j]) - (versions[i] < versions[j])
        for i, j in req["compare"]
    ]

    clauses = {}
    for spec in req["specs"]:
        for clause in spec.split(","):
            clause = clause.strip()
            if clause and clause not in clauses:
                try:
                    clauses[clause] = normalised_clause(clause)
                except InvalidSpecifier:
                    clauses[clause] = None
    sets = []
    for spec in req["specs"]:
        parts = [c.strip() for c in spec.split(",") if c.strip()]
        if any(clauses[c] is None for c in parts):
            sets.append(None)
        else:
            sets.append(SpecifierSet(",".join(clauses[c] for c in parts)))
    out["specs"] = [s is not None for s in sets]
    out["contains"] = [
        None
        if sets[s] is None
        else [sets[s].contains(v, prereleases=None), sets[s].contains(v, prereleases=True)]
        for s, v in req["contains"]
    ]
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
