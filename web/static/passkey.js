// Passkeys (WebAuthn): the server makes the options and checks the answer (workflow/passkeys.py); this only
// carries them between the page and the browser's authenticator. A browser without WebAuthn keeps the
// authenticator app's code form beside it.
(function () {
  "use strict";

  function toBytes(b64url) {
    var b64 = b64url.replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4) { b64 += "="; }
    var raw = atob(b64), out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) { out[i] = raw.charCodeAt(i); }
    return out.buffer;
  }

  function toB64url(buffer) {
    var bytes = new Uint8Array(buffer), raw = "";
    for (var i = 0; i < bytes.length; i++) { raw += String.fromCharCode(bytes[i]); }
    return btoa(raw).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function descriptors(list) {
    return (list || []).map(function (d) { return Object.assign({}, d, { id: toBytes(d.id) }); });
  }

  function creationOptions(json) {
    var o = Object.assign({}, json);
    o.challenge = toBytes(json.challenge);
    o.user = Object.assign({}, json.user, { id: toBytes(json.user.id) });
    o.excludeCredentials = descriptors(json.excludeCredentials);
    return o;
  }

  function requestOptions(json) {
    var o = Object.assign({}, json);
    o.challenge = toBytes(json.challenge);
    o.allowCredentials = descriptors(json.allowCredentials);
    return o;
  }

  function credentialJSON(cred) {
    var r = cred.response, response = { clientDataJSON: toB64url(r.clientDataJSON) };
    if (r.attestationObject) {
      response.attestationObject = toB64url(r.attestationObject);
      if (r.getTransports) { response.transports = r.getTransports(); }
    } else {
      response.authenticatorData = toB64url(r.authenticatorData);
      response.signature = toB64url(r.signature);
      if (r.userHandle) { response.userHandle = toB64url(r.userHandle); }
    }
    return JSON.stringify({
      id: cred.id, rawId: toB64url(cred.rawId), type: cred.type, response: response,
      clientExtensionResults: cred.getClientExtensionResults ? cred.getClientExtensionResults() : {},
      authenticatorAttachment: cred.authenticatorAttachment || undefined
    });
  }

  function post(url, csrf, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin", body: body || "",
      headers: { "X-CSRFToken": csrf, "Content-Type": "application/json" }
    }).then(function (res) {
      return res.json().then(function (data) {
        if (!res.ok) { throw new Error(data.error || res.statusText); }
        return data;
      });
    });
  }

  function setUp(box) {
    var button = box.querySelector("#passkey-button"), error = box.querySelector("#passkey-error");
    if (!window.PublicKeyCredential || !navigator.credentials) {
      button.disabled = true;
      var note = box.querySelector("#passkey-unsupported");
      if (note) { note.hidden = false; }
      return;
    }
    var register = box.dataset.passkey === "register";
    button.addEventListener("click", function () {
      error.hidden = true;
      button.disabled = true;
      var password = box.querySelector("#passkey-password");
      var body = password ? JSON.stringify({ password: password.value }) : "";
      post(box.dataset.options, box.dataset.csrf, body).then(function (json) {
        return register ? navigator.credentials.create({ publicKey: creationOptions(json) })
          : navigator.credentials.get({ publicKey: requestOptions(json) });
      }).then(function (cred) {
        var url = box.dataset.verify;
        if (register) {
          var name = document.getElementById("passkey-name");
          url += "?name=" + encodeURIComponent(name ? name.value : "");
        }
        return post(url, box.dataset.csrf, credentialJSON(cred));
      }).then(function (data) {
        window.location.assign(data.next);
      }).catch(function (err) {
        error.textContent = err && err.message ? err.message : String(err);
        error.hidden = false;
        button.disabled = false;
      });
    });
  }

  document.querySelectorAll("[data-passkey]").forEach(setUp);
}());
