"""Screenshots of PTI's pages for the README, in Debian's Chromium (Playwright, never a downloaded browser).

    .venv/bin/python manage.py seed_demo && .venv/bin/python manage.py runserver 127.0.0.1:8100
    .venv/bin/python docs/screenshots/shoot.py [--base http://127.0.0.1:8100] [--out docs/screenshots]
        [--user agent] [--full] path name [path name ...]

Each PNG is named `<name>-<width>.png`, at 1366×768 and 390×844 (the first screen only unless --full). The dossier
COPIL's pages are its PDF's pages drawn by pypdfium2 (`PdfDocument(path)[n].render(scale=100 / 72).to_pil()`).
"""

import argparse
import pathlib
import sys

from playwright.sync_api import sync_playwright

SIZES = ((1366, 768), (390, 844))
PASSWORD = "pti-demo-2025"


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="http://127.0.0.1:8100")
    parser.add_argument("--out", default=str(pathlib.Path(__file__).parent))
    parser.add_argument("--user", default="agent")
    parser.add_argument("--full", action="store_true")
    parser.add_argument("--sizes", default="", help="widths, e.g. 1366,390")
    parser.add_argument("pages", nargs="+", help="path name path name …")
    args = parser.parse_args(argv)
    pairs = list(zip(args.pages[::2], args.pages[1::2], strict=True))
    sizes = [s for s in SIZES if not args.sizes or str(s[0]) in args.sizes.split(",")]
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        for width, height in sizes:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.goto(f"{args.base}/comptes/login/")
            page.fill("input[name=username]", args.user)
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit], input[type=submit]")
            for path, name in pairs:
                page.goto(args.base + path)
                page.wait_for_load_state("networkidle")
                target = out / f"{name}-{width}.png"
                page.screenshot(path=str(target), full_page=args.full)
                scroll = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
                print(f"{target}  width {scroll[0]} px, height {scroll[1]} px")
            page.close()
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
