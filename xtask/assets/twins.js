// Turns each Rust/PyTorch twin pair (see xtask/src/book.rs) into two tabs.
// Without JavaScript nothing here runs and both panels stay visible, one
// after the other, each under its label. The tabs follow the WAI-ARIA tabs
// pattern: Tab reaches the selected tab, the arrow keys (and Home/End) move
// between tabs and select them. A choice applies to every pair on the page
// and is remembered, since a reader usually wants one language throughout.
(function () {
    "use strict";
    var KEY = "autograd-book-twin-tab";
    var pairs = Array.prototype.slice.call(document.querySelectorAll(".twin-pair"));
    if (pairs.length === 0) {
        return;
    }
    var tabsets = [];

    function remembered() {
        try {
            return window.localStorage.getItem(KEY);
        } catch (e) {
            return null; // storage disabled: no memory, still tabs
        }
    }

    function remember(name) {
        try {
            window.localStorage.setItem(KEY, name);
        } catch (e) {
            // storage disabled: nothing to do
        }
    }

    function selectEverywhere(name) {
        tabsets.forEach(function (set) {
            set.select(name, false);
        });
        remember(name);
    }

    pairs.forEach(function (pair, p) {
        var panels = Array.prototype.slice.call(pair.querySelectorAll(":scope > .twin-panel"));
        var list = document.createElement("div");
        list.className = "twin-tabs";
        list.setAttribute("role", "tablist");
        list.setAttribute("aria-label", "Language of the example");
        var tabs = panels.map(function (panel, i) {
            var name = panel.getAttribute("data-twin-tab");
            var tab = document.createElement("button");
            tab.type = "button";
            tab.className = "twin-tab";
            tab.textContent = name;
            tab.id = "twin-tab-" + p + "-" + i;
            panel.id = "twin-panel-" + p + "-" + i;
            tab.setAttribute("role", "tab");
            tab.setAttribute("aria-controls", panel.id);
            panel.setAttribute("role", "tabpanel");
            panel.setAttribute("aria-labelledby", tab.id);
            panel.setAttribute("tabindex", "0");
            tab.addEventListener("click", function () {
                selectEverywhere(name);
            });
            tab.addEventListener("keydown", function (event) {
                var to = null;
                if (event.key === "ArrowRight") {
                    to = (i + 1) % tabs.length;
                } else if (event.key === "ArrowLeft") {
                    to = (i + tabs.length - 1) % tabs.length;
                } else if (event.key === "Home") {
                    to = 0;
                } else if (event.key === "End") {
                    to = tabs.length - 1;
                }
                if (to !== null) {
                    event.preventDefault();
                    selectEverywhere(tabs[to].textContent);
                    tabs[to].focus();
                }
            });
            list.appendChild(tab);
            return tab;
        });
        pair.insertBefore(list, pair.firstChild);
        pair.classList.add("twin-tabbed");
        tabsets.push({
            select: function (name) {
                var found = tabs.some(function (tab) {
                    return tab.textContent === name;
                });
                if (!found) {
                    name = tabs[0].textContent;
                }
                tabs.forEach(function (tab, i) {
                    var on = tab.textContent === name;
                    tab.setAttribute("aria-selected", on ? "true" : "false");
                    tab.tabIndex = on ? 0 : -1;
                    panels[i].hidden = !on;
                });
            },
        });
    });
    var start = remembered() || "Rust";
    tabsets.forEach(function (set) {
        set.select(start);
    });
})();
