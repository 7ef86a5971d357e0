// The yearly report's draft saves itself (templates/actions/report_form.html, actions/views_autosave.py):
// 3 s after the last keystroke the form is posted in the background to its autosave address, through the same
// service and version check as "Enregistrer le brouillon"; the answer's version goes into the hidden field, so
// the next save carries it, and "Brouillon enregistré à 10:42" is said in the live region.
// A newer version met on the way stops the autosave and shows the conflict (the typed text stays in the form);
// a transmitted report or a closed year is never saved in the background, and the status says why.
// Leaving the page with unsaved changes asks first.
(function () {
  "use strict";

  var DELAY_MS = 3000;
  var form = document.getElementById("report-form");
  var status = document.getElementById("autosave-status");
  if (!form || !status) {
    return;
  }
  var url = form.dataset.autosaveUrl;
  var versionField = form.querySelector("input[name='version']");
  var dirty = false;
  var stopped = false;
  var saving = false;
  var again = false;
  var timer = null;
  var submitting = false;

  function say(text) {
    status.textContent = text;
  }

  function stop(text) {
    stopped = true;
    window.clearTimeout(timer);
    say(text);
  }

  if (form.dataset.autosaveStopped) {
    stopped = true;
    say(form.dataset.autosaveStopped);
  } else if (!url) {
    stopped = true;
  }

  function formData() {
    var data = new FormData(form);
    data.delete("document");
    data.delete("document_title");
    data.delete("submit");
    return data;
  }

  function save() {
    if (stopped || !dirty) {
      return;
    }
    if (saving) {
      again = true;
      return;
    }
    saving = true;
    dirty = false;
    fetch(url, {
      method: "POST",
      body: formData(),
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        return response.json().then(
          function (body) {
            return { status: response.status, body: body };
          },
          function () {
            return { status: response.status, body: {} };
          }
        );
      })
      .then(function (answer) {
        var body = answer.body;
        if (answer.status === 200) {
          versionField.value = body.version;
          say(body.message);
        } else if (answer.status === 409) {
          dirty = true;
          document.getElementById("autosave-conflict").innerHTML = body.conflict || "";
          stop(
            "Enregistrement automatique arrêté : une autre personne a modifié ce compte rendu. " +
              "Votre texte est toujours dans le formulaire."
          );
        } else if (answer.status === 403) {
          dirty = true;
          stop("Enregistrement automatique arrêté : " + (body.stopped || "vous ne pouvez plus modifier ce compte rendu."));
        } else if (answer.status === 400) {
          dirty = true;
          say(body.message || "Le brouillon n'a pas été enregistré automatiquement : corrigez les champs signalés.");
        } else {
          dirty = true;
          say("Le brouillon n'a pas pu être enregistré automatiquement ; enregistrez-le avec le bouton.");
        }
      })
      .catch(function () {
        dirty = true;
        say("Le brouillon n'a pas pu être enregistré automatiquement (connexion ?) ; enregistrez-le avec le bouton.");
      })
      .then(function () {
        saving = false;
        if (again) {
          again = false;
          schedule();
        }
      });
  }

  function schedule() {
    if (stopped) {
      return;
    }
    window.clearTimeout(timer);
    timer = window.setTimeout(save, DELAY_MS);
  }

  function changed(event) {
    if (event.target && (event.target.name === "document" || event.target.name === "document_title")) {
      dirty = true;
      return;
    }
    dirty = true;
    if (saving) {
      again = true;
    }
    schedule();
  }

  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  form.addEventListener("submit", function () {
    submitting = true;
    window.clearTimeout(timer);
  });
  window.addEventListener("beforeunload", function (event) {
    if ((dirty || saving) && !submitting) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();
