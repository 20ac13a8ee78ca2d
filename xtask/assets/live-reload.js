// `cargo xtask serve` adds this script to every page it serves (see
// xtask/src/serve.rs); the published book never has it. The page knows the
// build it came from (`data-generation`); it keeps asking the server for
// news, and reloads when a newer build is served. Meanwhile a badge in the
// corner says what the server is doing: verifying, all verified, or how
// many failures the last round found (each is shown in its page).
(function () {
    "use strict";
    var script = document.currentScript;
    var generation = Number(script.dataset.generation);
    var badge = document.createElement("div");
    badge.className = "serve-status";
    badge.setAttribute("role", "status");
    badge.style.cssText =
        "position:fixed;right:12px;bottom:12px;z-index:1000;max-width:min(36em,80vw);" +
        "padding:4px 10px;border-radius:6px;font:13px/1.4 sans-serif;color:#fff;background:#555;";
    var colours = { busy: "#8a6d00", failed: "#b3261e", passed: "#2e7d32", gone: "#555" };

    function show(text, kind) {
        badge.textContent = text;
        badge.dataset.state = kind;
        badge.style.background = colours[kind];
    }

    // The server holds each question until it has news for this page (a
    // round started or ended) or a second has passed; it asks again a quarter
    // of a second after an answer.
    var busy = null;
    function poll() {
        var known = "generation=" + generation + "&busy=" + busy;
        fetch("/__serve/state?" + known, { cache: "no-store" })
            .then(function (response) { return response.json(); })
            .then(function (state) {
                if (state.generation !== generation) {
                    window.location.reload();
                    return;
                }
                busy = state.busy;
                if (busy) {
                    show("cargo xtask serve: verifying…", "busy");
                } else {
                    show("cargo xtask serve: " + state.summary, state.failed ? "failed" : "passed");
                }
                setTimeout(poll, 250);
            })
            .catch(function () {
                show("cargo xtask serve has stopped: this page is not kept up to date", "gone");
                setTimeout(poll, 2000);
            });
    }

    // A click on the badge goes to the page's first block that is not verified.
    badge.addEventListener("click", function () {
        var failure = document.querySelector(".verify-failure");
        if (failure) {
            failure.scrollIntoView({ block: "center" });
        }
    });

    document.addEventListener("DOMContentLoaded", function () {
        if (document.querySelector(".verify-failure")) {
            badge.style.cursor = "pointer";
            badge.title = "Go to the first problem on this page";
        }
        document.body.appendChild(badge);
        poll();
    });
})();
