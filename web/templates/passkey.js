// GuestPass passkeys: the WebAuthn ceremony of every form[data-passkey].
// Everything else on the pages works without script; this file only adds
// what WebAuthn cannot do without it (navigator.credentials).
//
// On submit the form's options are fetched from data-options (a POST: the
// server starts the ceremony and keeps its state, bound to the sign-in or
// session), handed to navigator.credentials.create or .get (data-passkey),
// and the answer goes back in the form's hidden "credential" field by an
// ordinary form post. Messages come from data-msg-* in the page language.
(function () {
	"use strict";
	if (!window.PublicKeyCredential || !navigator.credentials) {
		return; // the forms stay hidden: other methods remain
	}

	function fromB64(s) {
		s = s.replace(/-/g, "+").replace(/_/g, "/");
		const bin = atob(s + "===".slice((s.length + 3) % 4));
		const out = new Uint8Array(bin.length);
		for (let i = 0; i < bin.length; i++) {
			out[i] = bin.charCodeAt(i);
		}
		return out.buffer;
	}

	function toB64(buf) {
		const bytes = new Uint8Array(buf);
		let bin = "";
		for (let i = 0; i < bytes.length; i++) {
			bin += String.fromCharCode(bytes[i]);
		}
		return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
	}

	function decodeIDs(list) {
		return (list || []).map(function (c) {
			return Object.assign({}, c, { id: fromB64(c.id) });
		});
	}

	// publicKey turns the server's JSON options into what the API takes.
	function publicKey(o, create) {
		o.challenge = fromB64(o.challenge);
		if (create) {
			o.user.id = fromB64(o.user.id);
			o.excludeCredentials = decodeIDs(o.excludeCredentials);
		} else {
			o.allowCredentials = decodeIDs(o.allowCredentials);
		}
		return o;
	}

	// answer is the PublicKeyCredential as the JSON go-webauthn parses.
	function answer(cred) {
		const r = cred.response;
		const out = {
			id: cred.id,
			rawId: toB64(cred.rawId),
			type: cred.type,
			clientExtensionResults: {}, // we ask for no extension
			response: { clientDataJSON: toB64(r.clientDataJSON) },
		};
		if (cred.authenticatorAttachment) {
			out.authenticatorAttachment = cred.authenticatorAttachment;
		}
		if (r.attestationObject) {
			out.response.attestationObject = toB64(r.attestationObject);
			if (r.getTransports) {
				out.response.transports = r.getTransports();
			}
		} else {
			out.response.authenticatorData = toB64(r.authenticatorData);
			out.response.signature = toB64(r.signature);
			if (r.userHandle) {
				out.response.userHandle = toB64(r.userHandle);
			}
		}
		return JSON.stringify(out);
	}

	function alertIn(form, text) {
		let el = form.querySelector(".alert");
		if (!el) {
			el = document.createElement("p");
			el.className = "alert";
			el.setAttribute("role", "alert");
			form.insertBefore(el, form.firstChild);
		}
		el.textContent = text;
	}

	async function ceremony(form, button) {
		const create = form.dataset.passkey === "create";
		const resp = await fetch(form.dataset.options, {
			method: "POST",
			credentials: "same-origin",
			headers: { Accept: "application/json" },
		});
		const body = await resp.json().catch(function () {
			return {};
		});
		if (!resp.ok || !body.publicKey) {
			const err = new Error((body.error && body.error.message) || form.dataset.msgFailed);
			err.name = "ServerError"; // its message is for the guest
			throw err;
		}
		const options = { publicKey: publicKey(body.publicKey, create) };
		const cred = create ? await navigator.credentials.create(options) : await navigator.credentials.get(options);
		form.elements.credential.value = answer(cred);
		button.disabled = false;
		form.submit(); // no submit event: the answer goes to the server
	}

	document.querySelectorAll("form[data-passkey]").forEach(function (form) {
		const section = form.closest("[data-passkey-section]") || form;
		section.hidden = false;
		const button = form.querySelector("button");
		form.addEventListener("submit", function (ev) {
			ev.preventDefault();
			button.disabled = true;
			ceremony(form, button).catch(function (err) {
				button.disabled = false;
				let text = form.dataset.msgFailed;
				if (err && (err.name === "NotAllowedError" || err.name === "AbortError")) {
					text = form.dataset.msgCancelled;
				} else if (err && err.name === "InvalidStateError") {
					text = form.dataset.msgKnown; // this authenticator is registered already
				} else if (err && err.name === "ServerError") {
					text = err.message;
				}
				alertIn(form, text);
			});
		});
	});
})();
