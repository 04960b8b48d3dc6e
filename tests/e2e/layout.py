"""What a page looks like to a person on a phone: does anything stick out sideways?"""

from playwright.sync_api import Page

# Every visible element whose box reaches past the viewport's left or right edge, unless an
# ancestor clips it (a scrolling strip, overflow: hidden) or it is hidden from sight (the
# visually-hidden texts for screen readers, the skip link parked above the page).
_OVERFLOWING = """
() => {
  const width = document.documentElement.clientWidth;
  const describe = (el) => {
    let name = el.tagName.toLowerCase();
    if (el.id) name += "#" + el.id;
    if (typeof el.className === "string" && el.className.trim()) {
      name += "." + el.className.trim().split(/\\s+/).join(".");
    }
    const text = (el.innerText || el.getAttribute("aria-label") || el.getAttribute("alt") || "")
      .trim().replace(/\\s+/g, " ").slice(0, 60);
    return text ? `${name} "${text}"` : name;
  };
  const clipped = (el) => {
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      const style = getComputedStyle(up);
      if (style.overflowX !== "visible" || style.clip !== "auto") return true;
    }
    return false;
  };
  const found = [];
  for (const el of document.body.querySelectorAll("*")) {
    const rect = el.getBoundingClientRect();
    if (rect.width === 0 || rect.height === 0) continue;
    const style = getComputedStyle(el);
    if (style.visibility === "hidden" || style.display === "none" || style.clip !== "auto") continue;
    if (rect.bottom <= 0) continue;  // parked above the page (the skip link)
    if (rect.right <= width + 0.5 && rect.left >= -0.5) continue;
    if (clipped(el)) continue;
    found.push(`${describe(el)}: ${Math.round(rect.left)}..${Math.round(rect.right)} px`);
  }
  return found;
}
"""


def overflow_report(page: Page) -> list[str]:
    """Why the page is wider than the phone, if it is: an empty list when nothing overflows."""
    problems = []
    scroll_width, inner_width = page.evaluate(
        "() => [document.documentElement.scrollWidth, window.innerWidth]"
    )
    if scroll_width > inner_width:
        problems.append(f"the page scrolls sideways: {scroll_width} px wide in a {inner_width} px window")
    problems.extend(page.evaluate(_OVERFLOWING))
    return problems
