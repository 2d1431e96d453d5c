"""Checks what `sam build --beta-features` produced: one `bootstrap` per
function of template.yaml, each an ELF executable for arm64 (aarch64), as
`Architectures: [arm64]` promises Lambda."""

import sys
from pathlib import Path

EM_AARCH64 = 0xB7


def main(build_dir: str) -> int:
    root = Path(build_dir)
    functions = ["CloudWatchQueryFunction", "VendorEnrichmentFunction", "CryptoPreprocessFunction"]
    failures = []
    for name in functions:
        binary = root / name / "bootstrap"
        if not binary.is_file():
            failures.append(f"{name}: no bootstrap in {binary.parent}")
            continue
        header = binary.read_bytes()[:20]
        machine = int.from_bytes(header[18:20], "little")
        if header[:4] != b"\x7fELF" or machine != EM_AARCH64:
            failures.append(f"{name}: bootstrap is not an arm64 ELF executable (e_machine={machine:#x})")
        else:
            print(f"{name}: bootstrap, arm64 ELF, {binary.stat().st_size / 2**20:.1f} MiB")
    for failure in failures:
        print(failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "target/sam-build"))
