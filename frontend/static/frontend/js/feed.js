/* The home page, made lively: the composer (character counter, photos uploaded with a
 * progress bar and followed until they are ready), comments opened inline, the feed's
 * "N new posts" button fed by the live socket (live.js), and focus kept where a keyboard user
 * expects it. Everything else is plain htmx in the templates.
 *
 * No inline script, no eval: this file is loaded with `defer` and works by event delegation,
 * so content htmx swaps in needs no setting up (except what `htmx.onLoad` does below).
 */
(function () {
  "use strict";

  const POLL_MS = 1500;

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (e) {
      return "";
    }
  }

  function toast(text) {
    if (text && window.sbToast) window.sbToast(text);
  }

  function fragment(html) {
    const template = document.createElement("template");
    template.innerHTML = html;
    return template.content;
  }

  function processHtmx(element) {
    if (window.htmx && element) window.htmx.process(element);
  }

  // --- The composer -------------------------------------------------------------------------

  let uploading = false;
  let pollTimer = null;

  function composerOf(node) {
    return node && node.closest ? node.closest("#composer") : null;
  }

  function updateCounter(composer) {
    const textarea = composer.querySelector("#composer-body");
    const counter = composer.querySelector("#composer-count");
    if (!textarea || !counter) return;
    const max = Number(counter.dataset.max || textarea.maxLength || 0);
    const used = textarea.value.length;
    const template = counter.dataset.template || "{n} / {max}";
    counter.textContent = template.replace("{n}", String(used)).replace("{max}", String(max));
    counter.classList.toggle("is-near", max > 0 && used >= max * 0.9 && used <= max);
    counter.classList.toggle("is-over", max > 0 && used > max);
  }

  function chips(composer) {
    return Array.prototype.slice.call(composer.querySelectorAll(".attached-photo"));
  }

  function setPhotoError(composer, text) {
    const box = composer.querySelector("[data-photo-error]");
    if (box) box.textContent = text || "";
  }

  /* The Post button waits for photos; the visibility is locked while photos are attached
   * (they were uploaded into the album of that visibility). */
  function refreshComposer(composer) {
    const attached = chips(composer);
    const processing = attached.some(function (li) { return li.dataset.status === "processing"; });
    const submit = composer.querySelector("[data-post-button]");
    const wait = composer.querySelector("[data-photo-wait]");
    const area = composer.querySelector("[data-photo-area]");
    const error = composer.querySelector("[data-photo-error]");
    const busy = uploading || processing;
    if (submit) {
      submit.disabled = busy;
      submit.setAttribute("aria-disabled", busy ? "true" : "false");
    }
    if (wait) wait.hidden = !busy;
    if (area) area.hidden = !attached.length && !uploading && !(error && error.textContent.trim());

    const select = composer.querySelector("#composer-visibility");
    const note = composer.querySelector("[data-visibility-locked]");
    let locked = composer.querySelector("input[data-locked-visibility]");
    if (select) {
      if (attached.length && !locked) {
        locked = document.createElement("input");
        locked.type = "hidden";
        locked.name = "visibility";
        locked.value = select.value;
        locked.setAttribute("data-locked-visibility", "");
        composer.appendChild(locked);
        select.disabled = true;
      } else if (!attached.length && locked) {
        locked.remove();
        select.disabled = false;
      }
      if (note) note.hidden = !attached.length;
    }
    if (processing) schedulePoll(composer);
  }

  function setupComposer(composer) {
    if (!composer) return;
    const counter = composer.querySelector("#composer-count");
    if (counter && !counter.dataset.template) {
      counter.dataset.template = composer.dataset.counterTemplate || "{n} / {max}";
    }
    const picker = composer.querySelector("[data-photo-picker]");
    if (picker && window.FormData && window.XMLHttpRequest) picker.hidden = false;
    updateCounter(composer);
    refreshComposer(composer);
  }

  function schedulePoll(composer) {
    if (pollTimer) return;
    pollTimer = setTimeout(function () {
      pollTimer = null;
      poll(composer);
    }, POLL_MS);
  }

  function poll(composer) {
    if (!document.body.contains(composer)) composer = document.getElementById("composer");
    if (!composer) return;
    const waiting = chips(composer).filter(function (li) { return li.dataset.status === "processing"; });
    if (!waiting.length) return;
    const params = new URLSearchParams();
    params.set("album", waiting[0].dataset.albumId);
    waiting.forEach(function (li) {
      if (li.dataset.albumId === waiting[0].dataset.albumId) params.append("ids", li.dataset.photoId);
    });
    fetch(composer.dataset.attachUrl + "?" + params.toString(), { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.text();
      })
      .then(function (html) {
        const fresh = fragment(html);
        fresh.querySelectorAll(".attached-photo").forEach(function (next) {
          const current = composer.querySelector('.attached-photo[data-photo-id="' + next.dataset.photoId + '"]');
          if (!current || current.dataset.status === next.dataset.status) return;
          if (next.dataset.status === "failed") {
            current.replaceWith(next);
            return;
          }
          // Ready: swap the preview and the state only, so an alt text being typed stays.
          ["[data-preview]", "[data-state]"].forEach(function (part) {
            const old = current.querySelector(part);
            const replacement = next.querySelector(part);
            if (old && replacement) old.replaceWith(replacement);
          });
          current.dataset.status = next.dataset.status;
        });
        refreshComposer(composer);
      })
      .catch(function () {
        schedulePoll(composer);
      });
  }

  function upload(composer, input) {
    const files = Array.prototype.slice.call(input.files || []);
    input.value = "";
    if (!files.length) return;
    const max = Number(composer.dataset.maxPhotos || 10);
    const kept = chips(composer).filter(function (li) { return li.dataset.status !== "failed"; });
    if (kept.length + files.length > max) {
      setPhotoError(composer, composer.dataset.tooMany || "Too many photos.");
      refreshComposer(composer);
      return;
    }
    setPhotoError(composer, "");
    const data = new FormData();
    files.forEach(function (file) { data.append("image", file); });
    const select = composer.querySelector("#composer-visibility");
    const locked = composer.querySelector("input[data-locked-visibility]");
    data.append("visibility", locked ? locked.value : select ? select.value : "");

    const progressBox = composer.querySelector("[data-upload-progress]");
    const bar = progressBox ? progressBox.querySelector("progress") : null;
    if (bar) {
      bar.value = 0;
      bar.textContent = "0%";
    }
    if (progressBox) progressBox.hidden = false;
    uploading = true;
    refreshComposer(composer);

    const request = new XMLHttpRequest();
    request.open("POST", composer.dataset.attachUrl);
    request.setRequestHeader("X-CSRFToken", csrfToken());
    request.upload.addEventListener("progress", function (event) {
      if (!bar || !event.lengthComputable) return;
      const percent = Math.round((event.loaded / event.total) * 100);
      bar.value = percent;
      bar.textContent = percent + "%";
    });
    function done() {
      uploading = false;
      if (progressBox) progressBox.hidden = true;
    }
    request.addEventListener("load", function () {
      done();
      if (request.status === 202) {
        const list = composer.querySelector("#composer-attached");
        if (list) list.appendChild(fragment(request.responseText));
      } else {
        const message = fragment(request.responseText).textContent.trim();
        setPhotoError(composer, message || composer.dataset.uploadFailed || "Upload failed.");
      }
      refreshComposer(composer);
    });
    request.addEventListener("error", function () {
      done();
      setPhotoError(composer, composer.dataset.uploadFailed || "Upload failed.");
      refreshComposer(composer);
    });
    request.send(data);
  }

  document.addEventListener("input", function (event) {
    const composer = composerOf(event.target);
    if (composer && event.target.id === "composer-body") updateCounter(composer);
  });

  document.addEventListener("change", function (event) {
    const composer = composerOf(event.target);
    if (composer && event.target.id === "composer-files") upload(composer, event.target);
  });

  document.addEventListener("click", function (event) {
    const remove = event.target.closest("[data-remove-photo]");
    if (remove) {
      const composer = composerOf(remove);
      remove.closest(".attached-photo").remove();
      if (composer) {
        refreshComposer(composer);
        const input = composer.querySelector("#composer-files");
        if (input) input.focus();
      }
      return;
    }
    const toggle = event.target.closest(".comments-toggle");
    if (toggle) toggleComments(toggle);
  });

  // --- Comments -----------------------------------------------------------------------------

  function toggleComments(toggle) {
    const region = document.getElementById(toggle.getAttribute("aria-controls"));
    if (!region) return;
    const open = toggle.getAttribute("aria-expanded") === "true";
    if (open) {
      region.hidden = true;
      toggle.setAttribute("aria-expanded", "false");
      return;
    }
    region.hidden = false;
    toggle.setAttribute("aria-expanded", "true");
    if (!region.firstElementChild && window.htmx) {
      window.htmx.ajax("GET", toggle.dataset.url, { target: region, swap: "innerHTML" }).then(function () {
        const box = region.querySelector("textarea");
        if (box) box.focus();
      });
    } else {
      const box = region.querySelector("textarea");
      if (box) box.focus();
    }
  }

  // --- Loading more, and focus --------------------------------------------------------------

  let focusNextPage = false;

  document.addEventListener("htmx:beforeRequest", function (event) {
    const elt = event.detail && event.detail.elt;
    if (elt && elt.classList && elt.classList.contains("feed-more-button")) {
      focusNextPage = document.activeElement === elt;
    }
  });

  document.addEventListener("htmx:afterSettle", function () {
    if (!focusNextPage) return;
    focusNextPage = false;
    const firsts = document.querySelectorAll("#feed-items [data-first-of-page]");
    const first = firsts[firsts.length - 1];
    if (first) first.focus();
  });

  // Server answers may ask for a toast (HX-Trigger: {"sbToast": {"value": "..."}}).
  document.addEventListener("sbToast", function (event) {
    toast(event.detail && event.detail.value);
  });

  document.addEventListener("htmx:responseError", function (event) {
    const xhr = event.detail && event.detail.xhr;
    if (xhr && xhr.getResponseHeader("HX-Trigger")) return; // the server said what went wrong
    const source = document.querySelector("[data-error-text]");
    toast(source ? source.dataset.errorText : "Something went wrong. Please try again.");
  });

  if (window.htmx) {
    window.htmx.onLoad(function (element) {
      if (!element || !element.querySelector) return;
      const composer = element.id === "composer" ? element : element.querySelector("#composer");
      if (!composer) return;
      setupComposer(composer);
      if (composer.hasAttribute("data-fresh")) {
        // Just posted: the post is at the top of the feed, so the empty state goes.
        const empty = document.getElementById("feed-empty");
        if (empty && document.querySelector("#feed-items .feed-item")) empty.remove();
        if (typeof reconcile === "function") reconcile();
      }
    });
  }

  // --- New items arriving live --------------------------------------------------------------

  const feed = document.querySelector('[data-live-feed="on"]');
  const list = document.getElementById("feed-items");
  const button = feed ? feed.querySelector(".new-items") : null;
  // Activity id -> its object ("post:12"), for the items announced but not shown yet.
  const pending = new Map();

  function newestShown() {
    let newest = 0;
    if (!list) return newest;
    list.querySelectorAll("[data-activity-id]").forEach(function (element) {
      const id = Number(element.dataset.activityId || 0);
      if (id > newest) newest = id;
    });
    return newest || Number(document.body.dataset.lastActivity || 0);
  }

  function showButton() {
    if (!button) return;
    const count = pending.size;
    button.hidden = count === 0;
    button.textContent =
      count === 1 ? button.dataset.one : (button.dataset.many || "%s").replace("%s", String(count));
  }

  function alreadyShown(activity) {
    if (document.querySelector('[data-activity-id="' + activity.id + '"]')) return true;
    if (activity.object && activity.object.type === "post") {
      const own = document.querySelector('[data-object="post:' + activity.object.id + '"]');
      if (own) {
        // My own post, put at the top when I posted it: now it has its feed id.
        if (!own.dataset.activityId) own.dataset.activityId = String(activity.id);
        return true;
      }
    }
    return false;
  }

  document.addEventListener("sb:feed.activity", function (event) {
    const activity = event.detail && event.detail.activity;
    if (!feed || !activity || alreadyShown(activity)) return;
    if (activity.id <= newestShown()) return; // older than the top: not news
    const object = activity.object ? activity.object.type + ":" + activity.object.id : "";
    pending.set(activity.id, object);
    showButton();
  });

  document.addEventListener("sb:feed.removed", function (event) {
    const id = event.detail && event.detail.id;
    if (!id) return;
    pending.delete(id);
    showButton();
    const element = document.querySelector('[data-activity-id="' + id + '"]');
    if (!element) return;
    if (element.contains(document.activeElement)) {
      // Gone while being read: focus moves on to its neighbour, not to the page's top.
      const next = element.nextElementSibling || element.previousElementSibling;
      if (next && next.classList.contains("feed-item")) next.focus();
    }
    element.remove();
  });

  function showNewItems() {
    if (!feed || !list) return;
    const url = feed.dataset.newUrl + "?after=" + newestShown();
    button.disabled = true;
    fetch(url, { credentials: "same-origin", headers: { "HX-Request": "true" } })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.text();
      })
      .then(function (html) {
        const items = fragment(html);
        items.querySelectorAll(".feed-item").forEach(function (item) {
          const id = item.dataset.activityId;
          const object = item.dataset.object || "";
          const shown =
            (id && document.querySelector('[data-activity-id="' + id + '"]')) ||
            (object.indexOf("post:") === 0 && document.querySelector('[data-object="' + object + '"]'));
          if (shown) {
            if (id && !shown.dataset.activityId) shown.dataset.activityId = id;
            item.remove();
          } else {
            item.classList.add("is-new");
          }
        });
        const added = Array.prototype.slice.call(items.children);
        // Keep the reader's place: what is on screen now stays where it is.
        const anchor = list.firstElementChild;
        const atTop = list.getBoundingClientRect().top >= 0;
        const before = anchor ? anchor.getBoundingClientRect().top : 0;
        const empty = document.getElementById("feed-empty");
        if (empty && added.length) empty.remove();
        list.insertBefore(items, list.firstChild);
        added.forEach(processHtmx);
        if (!atTop && anchor && document.body.contains(anchor)) {
          window.scrollBy(0, anchor.getBoundingClientRect().top - before);
        }
        pending.clear();
        showButton();
        const newest = newestShown();
        if (window.sbLive && newest) window.sbLive.seen(newest);
        document.body.dataset.lastActivity = String(newest);
        const first = added.find(function (element) { return element.classList.contains("feed-item"); });
        if (first) first.focus({ preventScroll: !atTop });
      })
      .catch(function () {
        toast(button.dataset.failed || "Could not load the new posts.");
      })
      .finally(function () {
        button.disabled = false;
      });
  }

  if (button) button.addEventListener("click", showNewItems);

  /* My own post can be announced by the socket before the answer to my posting puts it at
   * the top: once it is there, it is no longer news. */
  function reconcile() {
    pending.forEach(function (object, id) {
      if (object.indexOf("post:") !== 0) return;
      const shown = document.querySelector('[data-object="' + object + '"]');
      if (!shown) return;
      if (!shown.dataset.activityId) shown.dataset.activityId = String(id);
      pending.delete(id);
    });
    showButton();
  }

  setupComposer(document.getElementById("composer"));
})();
