// The furnisher's file upload: how much of the file has been sent (htmx's upload progress
// events). Without JavaScript the form posts as usual and the file's page shows its status.
document.addEventListener("htmx:xhr:progress", function (event) {
  var bar = document.getElementById("upload-progress");
  if (!bar || !event.detail.lengthComputable) { return; }
  bar.hidden = false;
  bar.max = event.detail.total;
  bar.value = event.detail.loaded;
  bar.textContent = Math.round(100 * event.detail.loaded / event.detail.total) + "%";
  bar.setAttribute("aria-label", "Sent " + bar.textContent + " of the file");
});
