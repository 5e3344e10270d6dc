/* Document upload: drag-and-drop or file picker, a progress bar and a result per file.
 * Progressive enhancement: without this script each form posts the file normally. */
(function () {
  "use strict";

  function formatSize(bytes) {
    if (bytes < 1024) { return bytes + " B"; }
    if (bytes < 1024 * 1024) { return (bytes / 1024).toFixed(0) + " KB"; }
    return (bytes / (1024 * 1024)).toFixed(1) + " MB";
  }

  // The "still missing" line under the page forgets a kind once a file of it is up.
  function markPresent(kind) {
    var hint = document.querySelector("[data-missing]");
    if (!hint) { return; }
    var item = hint.querySelector('[data-missing-kind="' + kind + '"]');
    if (item) { item.parentNode.removeChild(item); }
    if (!hint.querySelector("[data-missing-kind]")) { hint.hidden = true; }
  }

  function setup(form) {
    var input = form.querySelector("input[type=file]");
    var zone = form.querySelector("[data-dropzone]");
    var status = form.querySelector("[data-upload-status]");
    var button = form.querySelector("[data-upload-button]");
    var list = form.parentNode.querySelector("[data-file-list]");
    if (!input || !zone || !status || !window.FormData || !window.XMLHttpRequest) { return; }

    // Files go up as soon as they are chosen or dropped: the button is not needed.
    if (button) { button.hidden = true; }
    zone.classList.add("dropzone--js");

    function uploadOne(file) {
      var row = document.createElement("div");
      row.className = "upload-row";
      var name = document.createElement("span");
      name.className = "upload-row__name";
      name.textContent = file.name + " (" + formatSize(file.size) + ")";
      var bar = document.createElement("progress");
      bar.className = "progress";
      bar.max = 100;
      bar.value = 0;
      bar.setAttribute("aria-label", form.dataset.msgUploading + " " + file.name);
      var result = document.createElement("span");
      result.className = "upload-row__result";
      result.setAttribute("role", "status");
      result.textContent = form.dataset.msgUploading;
      row.appendChild(name);
      row.appendChild(bar);
      row.appendChild(result);
      status.appendChild(row);

      var data = new FormData(form);
      data.set("file", file, file.name);
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
      xhr.upload.addEventListener("progress", function (event) {
        if (event.lengthComputable) { bar.value = Math.round((event.loaded / event.total) * 100); }
      });
      xhr.addEventListener("load", function () {
        var answer = null;
        try { answer = JSON.parse(xhr.responseText); } catch (e) { answer = null; }
        if (answer && answer.ok) {
          bar.value = 100;
          row.classList.add("upload-row--ok");
          result.textContent = form.dataset.msgDone;
          if (list && answer.html) {
            var holder = document.createElement("ul");
            holder.innerHTML = answer.html.trim();
            if (holder.firstElementChild) { list.appendChild(holder.firstElementChild); }
          }
          var tag = form.parentNode.querySelector("h2 .tag--warn");
          if (tag) {
            tag.classList.remove("tag--warn");
            tag.classList.add("tag--ok");
            if (form.dataset.msgUploadedTag) { tag.textContent = form.dataset.msgUploadedTag; }
          }
          markPresent(form.querySelector("input[name=kind]").value);
        } else {
          row.classList.add("upload-row--bad");
          bar.hidden = true;
          result.textContent = form.dataset.msgFailed + " " +
            ((answer && answer.message) || form.dataset.msgNetwork);
        }
      });
      xhr.addEventListener("error", function () {
        row.classList.add("upload-row--bad");
        bar.hidden = true;
        result.textContent = form.dataset.msgFailed + " " + form.dataset.msgNetwork;
      });
      xhr.send(data);
    }

    function uploadAll(files) {
      for (var i = 0; i < files.length; i++) { uploadOne(files[i]); }
    }

    input.addEventListener("change", function () {
      if (input.files && input.files.length) {
        uploadAll(input.files);
        input.value = "";
      }
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (input.files && input.files.length) {
        uploadAll(input.files);
        input.value = "";
      }
    });

    ["dragenter", "dragover"].forEach(function (type) {
      zone.addEventListener(type, function (event) {
        event.preventDefault();
        zone.classList.add("dropzone--active");
      });
    });
    ["dragleave", "drop"].forEach(function (type) {
      zone.addEventListener(type, function (event) {
        event.preventDefault();
        zone.classList.remove("dropzone--active");
      });
    });
    zone.addEventListener("drop", function (event) {
      if (event.dataTransfer && event.dataTransfer.files.length) {
        uploadAll(event.dataTransfer.files);
      }
    });
  }

  document.querySelectorAll("form[data-upload]").forEach(setup);
})();
