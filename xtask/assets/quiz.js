// Quizzes that ask (see quiz_block in xtask/src/render.rs): before the
// verified output of a `quiz` block is revealed, the reader types the
// numbers they predict it prints, in order, and is told whether they match.
// A number matches at the precision the output prints it (0.33 matches a
// printed 0.3333 only if written 0.3333). Without JavaScript the form stays
// hidden and the quiz is the plain reveal it was.
(function () {
    "use strict";
    // A number standing on its own: not the 3 of `h3` or of `x.3`.
    var NUMBER = /(?<![\w.])[-\u2212]?\d+(?:\.\d+)?(?:e[-+]?\d+)?(?![\w.])/gi;

    function numbers(text) {
        return (text.match(NUMBER) || []).map(function (word) {
            return { text: word, value: parseFloat(word.replace("\u2212", "-")) };
        });
    }

    // Half a unit of the last digit printed: the tolerance of a printed number.
    function halfUnit(text) {
        var mantissa = text.split(/e/i)[0];
        var exponent = /e/i.test(text) ? parseInt(text.split(/e/i)[1], 10) : 0;
        var decimals = mantissa.indexOf(".") < 0 ? 0 : mantissa.length - mantissa.indexOf(".") - 1;
        return 0.5 * Math.pow(10, exponent - decimals);
    }

    function verdict(typed, printed) {
        if (typed.length === 0) {
            return "Type the numbers you expect it to print, in order.";
        }
        if (typed.length !== printed.length) {
            return "Not quite: it prints " + printed.length + " numbers, and you wrote " + typed.length + ".";
        }
        for (var k = 0; k < printed.length; k++) {
            if (Math.abs(typed[k].value - printed[k].value) > halfUnit(printed[k].text)) {
                return "Not quite: number " + (k + 1) + " is not " + typed[k].text + ".";
            }
        }
        return "Your numbers match the verified output.";
    }

    Array.prototype.forEach.call(document.querySelectorAll(".quiz-ask"), function (ask) {
        var reveal = ask.nextElementSibling;
        var output = reveal && reveal.querySelector("pre");
        if (!output) {
            return;
        }
        var input = ask.querySelector(".quiz-answer");
        var said = ask.querySelector(".quiz-verdict");
        function check() {
            said.textContent = verdict(numbers(input.value), numbers(output.textContent));
        }
        ask.querySelector(".quiz-check").addEventListener("click", check);
        input.addEventListener("keydown", function (event) {
            if (event.key === "Enter") {
                check();
            }
        });
        ask.hidden = false;
    });
})();
