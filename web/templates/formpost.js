// Hands an OpenID Connect form_post response (formpost.html) to the
// application at once; without script the guest presses Continue.
document.getElementById("form-post").submit();
