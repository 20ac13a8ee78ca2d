// The copy button of a compiled Rust block copies the program the verifier
// compiled (xtask/src/render.rs puts it in the hidden element just before
// the block): the block's hidden lines too, and the `fn main` around a
// block that has none, so that what is pasted compiles. mdBook's clipboard
// code asks its global `playground_text` for a block's text; for these
// blocks this answers with the program, for any other as mdBook did.
// Without JavaScript there is no copy button at all.
(function () {
    "use strict";
    var shown = window.playground_text;
    if (typeof shown !== "function") {
        return;
    }
    window.playground_text = function (pre, hidden) {
        var before = pre.previousElementSibling;
        if (before && before.classList.contains("block-program")) {
            return before.getAttribute("data-program");
        }
        return shown(pre, hidden);
    };
})();
