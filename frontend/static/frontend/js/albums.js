/* Albums: the blurhash placeholders fade out as thumbnails load, the lightbox (arrow keys,
 * Escape, swipe, focus kept inside and given back), uploads one file per request with a
 * progress bar each, moving photos earlier or later (buttons, or drag and drop), and a
 * confirmation dialog before deleting.
 *
 * Everything works without this file: thumbnails link to the medium image, forms post and
 * the server redirects back. Texts come from data-msg-* attributes (translated server-side);
 * user text is only ever set with textContent. No inline code: the CSP forbids it.
 */
(function () {
  "use strict";

  document.documentElement.classList.add("albums-js");

  function csrfToken() {
    try {
      const headers = JSON.parse(document.body.getAttribute("hx-headers") || "{}");
      if (headers["X-CSRFToken"]) return headers["X-CSRFToken"];
    } catch (e) { /* fall back to the cookie */ }
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function format(template, values) {
    return String(template || "").replace(/%\((\w+)\)s/g, function (all, key) {
      return key in values ? String(values[key]) : all;
    });
  }

  function announce(text) {
    const status = document.getElementById("albums-status");
    if (!status || !text) return;
    status.textContent = "";
    setTimeout(function () { status.textContent = text; }, 60);
  }

  function toast(text) {
    if (window.sbToast) window.sbToast(text);
    announce(text);
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "HX-Request": "true" },
      body: body,
    });
  }

  /* --- Placeholders: the blurhash image stays until the thumbnail has loaded --------------- */

  function markLoaded(img) {
    const media = img.closest(".photo-media");
    if (media) media.classList.add("is-loaded");
  }

  function watchThumbs(root) {
    root.querySelectorAll(".photo-thumb").forEach(function (img) {
      if (img.complete && img.naturalWidth) markLoaded(img);
    });
    if (root.classList && root.classList.contains("photo-thumb") && root.complete) markLoaded(root);
  }

  document.addEventListener("load", function (event) {
    const target = event.target;
    if (target.classList && target.classList.contains("photo-thumb")) markLoaded(target);
  }, true);

  watchThumbs(document);

  const grid = document.getElementById("photo-grid");
  const emptyNote = document.getElementById("photos-empty");

  function refreshEmpty() {
    if (grid && emptyNote) emptyNote.hidden = grid.children.length > 0;
  }

  /* --- Lightbox --------------------------------------------------------------------------- */

  const lightbox = document.getElementById("lightbox");
  let current = -1;

  function photoLinks() {
    return grid ? Array.from(grid.querySelectorAll(".photo-link")) : [];
  }

  if (lightbox && grid) {
    const frame = lightbox.querySelector(".lightbox-frame");
    const image = lightbox.querySelector(".lightbox-image");
    const caption = lightbox.querySelector(".lightbox-caption");
    const count = lightbox.querySelector(".lightbox-count");
    const original = lightbox.querySelector(".lightbox-original");
    const prev = lightbox.querySelector(".lightbox-prev");
    const next = lightbox.querySelector(".lightbox-next");
    const close = lightbox.querySelector(".lightbox-close");

    image.addEventListener("load", function () { frame.classList.remove("is-loading"); });
    image.addEventListener("error", function () { frame.classList.remove("is-loading"); });

    const show = function (index) {
      const links = photoLinks();
      if (!links.length) { lightbox.close(); return; }
      current = ((index % links.length) + links.length) % links.length;
      const link = links[current];
      const thumb = link.querySelector(".photo-thumb");
      frame.classList.add("is-loading");
      image.src = link.href;
      image.alt = thumb ? thumb.alt : "";
      caption.textContent = link.dataset.caption || "";
      original.href = link.dataset.original || link.href;
      count.textContent = format(lightbox.dataset.msgCount, { n: current + 1, total: links.length });
      prev.hidden = next.hidden = links.length < 2;
      [links[current + 1], links[current - 1]].forEach(function (neighbour) {
        if (neighbour) (new Image()).src = neighbour.href;
      });
    };

    const open = function (link) {
      lightbox.showModal();
      show(photoLinks().indexOf(link));
      close.focus();
    };

    grid.addEventListener("click", function (event) {
      const link = event.target.closest(".photo-link");
      if (!link || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
      event.preventDefault();
      open(link);
    });

    prev.addEventListener("click", function () { show(current - 1); });
    next.addEventListener("click", function () { show(current + 1); });
    close.addEventListener("click", function () { lightbox.close(); });

    lightbox.addEventListener("keydown", function (event) {
      if (event.key === "ArrowLeft") { event.preventDefault(); show(current - 1); }
      else if (event.key === "ArrowRight") { event.preventDefault(); show(current + 1); }
      else if (event.key === "Tab") {
        // Keep focus inside the viewer.
        const focusable = Array.from(lightbox.querySelectorAll("a[href], button")).filter(function (el) {
          return !el.hidden && el.offsetParent !== null;
        });
        if (!focusable.length) return;
        const first = focusable[0];
        const last = focusable[focusable.length - 1];
        if (event.shiftKey && document.activeElement === first) { event.preventDefault(); last.focus(); }
        else if (!event.shiftKey && document.activeElement === last) { event.preventDefault(); first.focus(); }
      }
    });

    // A click beside the picture closes, as in every photo viewer.
    lightbox.addEventListener("click", function (event) {
      if (event.target === frame || event.target.classList.contains("lightbox-figure")) lightbox.close();
    });

    // Swipe left or right on touch screens.
    let touchX = null;
    let touchY = null;
    frame.addEventListener("touchstart", function (event) {
      if (event.touches.length !== 1) { touchX = null; return; }
      touchX = event.touches[0].clientX;
      touchY = event.touches[0].clientY;
    }, { passive: true });
    frame.addEventListener("touchend", function (event) {
      if (touchX === null) return;
      const dx = event.changedTouches[0].clientX - touchX;
      const dy = event.changedTouches[0].clientY - touchY;
      touchX = null;
      if (Math.abs(dx) > 50 && Math.abs(dx) > Math.abs(dy)) show(current + (dx < 0 ? 1 : -1));
    });

    lightbox.addEventListener("close", function () {
      image.removeAttribute("src");
      const link = photoLinks()[current];
      if (link) link.focus();
    });
  }

  /* --- Moving photos earlier or later ------------------------------------------------------ */

  // Photos after the last card shown are still to load: the last card can move later.
  function moreToLoad() {
    return Boolean(document.querySelector("#photo-more [hx-get]"));
  }

  function refreshMoveButtons() {
    if (!grid) return;
    const cards = Array.from(grid.children);
    const more = moreToLoad();
    cards.forEach(function (card, index) {
      const earlier = card.querySelector('button[data-move="earlier"], button[value="earlier"]');
      const later = card.querySelector('button[data-move="later"], button[value="later"]');
      if (earlier) toggleDisabled(earlier, index === 0);
      if (later) toggleDisabled(later, index === cards.length - 1 && !more);
    });
  }

  /* The album's "N photos", from an answer that carries it (an upload, a delete). */
  function refreshCount(html) {
    const count = document.getElementById("album-count");
    if (!count || !html) return;
    const template = document.createElement("template");
    template.innerHTML = html.trim();
    const fresh = template.content.querySelector("#album-count");
    if (fresh) {
      fresh.removeAttribute("hx-swap-oob");
      count.replaceWith(fresh);
    }
  }

  function toggleDisabled(button, disabled) {
    if (disabled) button.setAttribute("aria-disabled", "true");
    else button.removeAttribute("aria-disabled");
  }

  let saving = Promise.resolve();
  let saveTimer = null;

  function saveOrder() {
    if (!grid || !grid.dataset.reorderUrl) return;
    clearTimeout(saveTimer);
    saveTimer = setTimeout(function () {
      const body = new URLSearchParams();
      Array.from(grid.children).forEach(function (card) { body.append("order", card.dataset.photo); });
      // One save after another, so the last order asked for is the one kept.
      saving = saving.then(function () {
        return post(grid.dataset.reorderUrl, body).then(function (response) {
          if (!response.ok) toast(grid.dataset.msgOrderFailed);
        }, function () { toast(grid.dataset.msgOrderFailed); });
      });
    }, 250);
  }

  function announcePosition(card) {
    const cards = Array.from(grid.children);
    announce(format(grid.dataset.msgMoved, { n: cards.indexOf(card) + 1, total: cards.length }));
  }

  function move(card, direction) {
    const sibling = direction === "earlier" ? card.previousElementSibling : card.nextElementSibling;
    if (!sibling) return;
    // The neighbour moves, not the card: the focused button stays where it is in the DOM.
    grid.insertBefore(sibling, direction === "earlier" ? card.nextElementSibling : card);
    refreshMoveButtons();
    announcePosition(card);
    saveOrder();
  }

  /* --- Drag and drop (optional: the buttons do the same) ---------------------------------- */

  let dragged = null;

  function enableDragging(root) {
    if (!grid || !grid.dataset.reorderUrl) return;
    root.querySelectorAll(".photo-card .photo-media").forEach(function (media) {
      media.setAttribute("draggable", "true");
      media.querySelectorAll("a, img").forEach(function (el) { el.setAttribute("draggable", "false"); });
    });
  }

  if (grid && grid.dataset.reorderUrl) {
    enableDragging(grid);
    grid.addEventListener("dragstart", function (event) {
      const media = event.target.closest && event.target.closest(".photo-media");
      if (!media) return;
      dragged = media.closest(".photo-card");
      dragged.classList.add("is-dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", dragged.dataset.photo);
    });
    grid.addEventListener("dragover", function (event) {
      if (!dragged) return;
      const card = event.target.closest(".photo-card");
      if (!card || card === dragged) return;
      event.preventDefault();
      grid.querySelectorAll(".is-drop-target").forEach(function (el) { el.classList.remove("is-drop-target"); });
      card.classList.add("is-drop-target");
    });
    grid.addEventListener("drop", function (event) {
      if (!dragged) return;
      const card = event.target.closest(".photo-card");
      event.preventDefault();
      if (card && card !== dragged) {
        const cards = Array.from(grid.children);
        const after = cards.indexOf(card) > cards.indexOf(dragged);
        grid.insertBefore(dragged, after ? card.nextElementSibling : card);
        refreshMoveButtons();
        announcePosition(dragged);
        saveOrder();
      }
    });
    grid.addEventListener("dragend", function () {
      if (dragged) dragged.classList.remove("is-dragging");
      grid.querySelectorAll(".is-drop-target").forEach(function (el) { el.classList.remove("is-drop-target"); });
      dragged = null;
    });
  }

  /* --- Confirmation before deleting -------------------------------------------------------- */

  const confirmDialog = document.getElementById("confirm-dialog");
  let confirmFrom = null;

  if (confirmDialog) {
    const confirmForm = confirmDialog.querySelector(".confirm-form");
    const okButton = confirmDialog.querySelector(".js-confirm-ok");
    confirmDialog.querySelector(".js-confirm-cancel").addEventListener("click", function () {
      confirmDialog.close();
    });
    confirmDialog.addEventListener("close", function () {
      if (confirmFrom && document.contains(confirmFrom.button)) confirmFrom.button.focus();
    });

    confirmForm.addEventListener("submit", function (event) {
      if (!confirmFrom || confirmFrom.mode !== "remove") return; // an album: a real POST
      event.preventDefault();
      const from = confirmFrom;
      okButton.disabled = true;
      post(confirmForm.action, new FormData(confirmForm)).then(function (response) {
        okButton.disabled = false;
        if (!response.ok) throw new Error(String(response.status));
        response.text().then(refreshCount);
        const card = document.getElementById(from.target);
        const neighbour = card && (card.nextElementSibling || card.previousElementSibling);
        if (card) card.remove();
        from.button = neighbour ? neighbour.querySelector(".photo-delete button") : document.getElementById("photos-heading");
        if (from.button && from.button.id === "photos-heading") from.button.setAttribute("tabindex", "-1");
        confirmDialog.close();
        refreshMoveButtons();
        refreshEmpty();
        toast(confirmDialog.dataset.msgDeleted);
      }).catch(function () {
        okButton.disabled = false;
        confirmDialog.close();
        toast(confirmDialog.dataset.msgFailed);
      });
    });
  }

  function openConfirm(form, button) {
    confirmFrom = { mode: form.dataset.confirmMode, target: form.dataset.target, button: button };
    const confirmForm = confirmDialog.querySelector(".confirm-form");
    confirmForm.action = form.action;
    confirmDialog.querySelector(".confirm-title").textContent = form.dataset.confirmTitle || "";
    confirmDialog.querySelector("#confirm-text").textContent = form.dataset.confirmText || "";
    confirmDialog.querySelector(".js-confirm-ok").textContent = form.dataset.confirmButton || "OK";
    confirmDialog.showModal();
    confirmDialog.querySelector(".js-confirm-cancel").focus();
  }

  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (form.matches(".js-move") && grid) {
      event.preventDefault();
      const button = event.submitter;
      if (!button || button.getAttribute("aria-disabled") === "true") return;
      move(form.closest(".photo-card"), button.value);
    } else if (form.matches(".js-confirm") && confirmDialog) {
      event.preventDefault();
      openConfirm(form, event.submitter || form.querySelector("button"));
    }
  });

  /* --- Uploads: one request per file, each with its own progress bar ---------------------- */

  const uploadForm = document.querySelector(".js-upload");
  const PARALLEL = 3;
  let queue = [];
  let active = 0;

  function uploadRow(list, file) {
    const row = document.createElement("li");
    row.className = "upload-item";
    const name = document.createElement("span");
    name.className = "upload-name";
    name.textContent = file.name;
    const bar = document.createElement("progress");
    bar.className = "progress";
    bar.max = 100;
    bar.value = 0;
    bar.setAttribute("aria-label", file.name);
    const status = document.createElement("span");
    status.className = "upload-status";
    status.textContent = uploadForm.dataset.msgUploading;
    row.append(name, bar, status);
    list.appendChild(row);
    return row;
  }

  function setRow(row, state, text, photoId) {
    row.classList.remove("is-error", "is-done");
    if (state) row.classList.add(state);
    const status = row.querySelector(".upload-status");
    status.textContent = text;
    if (photoId && state === "is-done") {
      const link = document.createElement("a");
      link.href = "#alt-" + photoId;
      link.textContent = uploadForm.dataset.msgDescribe;
      status.append(" ", link);
    }
    if (state === "is-error") announce(row.querySelector(".upload-name").textContent + ": " + text);
  }

  function rowFor(photoId) {
    return uploadForm ? uploadForm.querySelector('.upload-item[data-photo="' + photoId + '"]') : null;
  }

  function showPhotoState(media) {
    const row = rowFor(media.dataset.photo);
    if (!row) return;
    const status = media.dataset.status;
    const bar = row.querySelector("progress");
    if (bar && status !== "processing") bar.remove();
    if (status === "ready") setRow(row, "is-done", uploadForm.dataset.msgReady, media.dataset.photo);
    else if (status === "failed") setRow(row, "is-error", uploadForm.dataset.msgFailed);
    else setRow(row, "", uploadForm.dataset.msgProcessing);
  }

  function addCards(html, row) {
    refreshCount(html);
    const template = document.createElement("template");
    template.innerHTML = html.trim();
    const cards = Array.from(template.content.querySelectorAll(".photo-card"));
    cards.forEach(function (card) {
      grid.appendChild(card);
      if (window.htmx) window.htmx.process(card);
      watchThumbs(card);
      enableDragging(card);
    });
    refreshMoveButtons();
    refreshEmpty();
    if (cards.length) {
      row.dataset.photo = cards[0].dataset.photo;
      showPhotoState(cards[0].querySelector(".photo-media"));
    }
  }

  function errorText(xhr) {
    const type = xhr.getResponseHeader("Content-Type") || "";
    if (type.indexOf("text/plain") === 0 && xhr.responseText) return xhr.responseText;
    if (xhr.status === 413) return uploadForm.dataset.msgTooLarge;
    return uploadForm.dataset.msgError;
  }

  function finished() {
    active -= 1;
    pump();
  }

  function send(job) {
    const row = job.row;
    const bar = row.querySelector("progress");
    if (job.file.size > Number(uploadForm.dataset.maxBytes || Infinity)) {
      bar.remove();
      setRow(row, "is-error", uploadForm.dataset.msgTooLarge);
      finished();
      return;
    }
    const data = new FormData();
    data.append("image", job.file, job.file.name);
    const xhr = new XMLHttpRequest();
    xhr.open("POST", uploadForm.action);
    xhr.setRequestHeader("X-CSRFToken", csrfToken());
    xhr.setRequestHeader("HX-Request", "true");
    xhr.upload.addEventListener("progress", function (event) {
      if (event.lengthComputable) bar.value = Math.round((event.loaded / event.total) * 100);
    });
    xhr.addEventListener("load", function () {
      if (xhr.status >= 200 && xhr.status < 300) {
        bar.value = 100;
        addCards(xhr.responseText, row);
      } else {
        bar.remove();
        setRow(row, "is-error", errorText(xhr));
      }
      finished();
    });
    xhr.addEventListener("error", function () {
      bar.remove();
      setRow(row, "is-error", uploadForm.dataset.msgError);
      finished();
    });
    xhr.send(data);
  }

  function pump() {
    while (active < PARALLEL && queue.length) {
      active += 1;
      send(queue.shift());
    }
  }

  function uploadFiles(files) {
    const list = uploadForm.querySelector(".upload-list");
    files.forEach(function (file) { queue.push({ file: file, row: uploadRow(list, file) }); });
    pump();
  }

  if (uploadForm && grid) {
    const input = uploadForm.querySelector('input[type="file"]');
    const drop = uploadForm.querySelector(".upload-drop");
    const submitRow = uploadForm.querySelector(".js-upload-submit");
    if (submitRow) submitRow.hidden = true; // choosing files starts the upload

    input.addEventListener("change", function () {
      uploadFiles(Array.from(input.files));
      input.value = "";
    });
    uploadForm.addEventListener("submit", function (event) {
      event.preventDefault();
      uploadFiles(Array.from(input.files));
      input.value = "";
    });

    const hasFiles = function (event) {
      return event.dataTransfer && Array.from(event.dataTransfer.types || []).indexOf("Files") !== -1;
    };
    drop.addEventListener("dragover", function (event) {
      if (!hasFiles(event)) return;
      event.preventDefault();
      drop.classList.add("is-dragover");
    });
    drop.addEventListener("dragleave", function () { drop.classList.remove("is-dragover"); });
    drop.addEventListener("drop", function (event) {
      if (!hasFiles(event)) return;
      event.preventDefault();
      drop.classList.remove("is-dragover");
      uploadFiles(Array.from(event.dataTransfer.files));
    });
  }

  /* --- htmx: new content, errors ----------------------------------------------------------- */

  // The next page of photos was appended to the grid. A photo uploaded here while pages were
  // still to load was added at the end of those shown; now that its own page has come, the
  // copy in its right place stays and the early one goes.
  document.addEventListener("htmx:afterSwap", function (event) {
    if (!grid || event.detail.target !== grid) return;
    const seen = new Set();
    Array.from(grid.children).reverse().forEach(function (card) {
      if (seen.has(card.dataset.photo)) card.remove();
      else seen.add(card.dataset.photo);
    });
    refreshMoveButtons();
    refreshEmpty();
  });

  document.addEventListener("htmx:load", function (event) {
    const element = event.detail.elt;
    if (!element || !element.querySelectorAll) return;
    watchThumbs(element);
    enableDragging(element.closest(".photo-card") || element);
    if (element.matches(".photo-media")) showPhotoState(element);
  });

  // "Saved" goes once the caption or alt text is changed again.
  document.addEventListener("input", function (event) {
    const form = event.target.closest && event.target.closest(".photo-form");
    const note = form && document.getElementById("saved-" + form.closest(".photo-details").id.replace("photo-form-", ""));
    if (note) note.textContent = "";
  });

  // A form with mistakes comes back as 400 with the form to show again.
  document.addEventListener("htmx:beforeSwap", function (event) {
    const xhr = event.detail.xhr;
    const type = xhr.getResponseHeader("Content-Type") || "";
    if (xhr.status === 400 && type.indexOf("text/html") === 0 && event.detail.target.closest(".albums-page")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  document.addEventListener("htmx:responseError", function (event) {
    const xhr = event.detail.xhr;
    const element = event.detail.elt;
    if (xhr.status === 404 && element && element.matches(".photo-media")) {
      // The photo was deleted meanwhile (another tab): its card goes too.
      const card = element.closest(".photo-card");
      if (card) card.remove();
      refreshMoveButtons();
      refreshEmpty();
      return;
    }
    const type = xhr.getResponseHeader("Content-Type") || "";
    if (type.indexOf("text/plain") === 0 && xhr.responseText) toast(xhr.responseText);
  });
})();
