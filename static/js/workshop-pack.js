// Workshop pack form: a running total of the agenda minutes, and the suggested timings for the
// chosen length when the length changes (unless the timings were already changed by hand).
(function () {
  "use strict";
  const form = document.getElementById("workshop-pack-form");
  if (!form) return;
  const inputs = Array.from(form.querySelectorAll(".minutes-input"));
  const total = document.getElementById("minutes-total");
  const chosenLength = () => {
    const checked = form.querySelector('input[name="length"]:checked');
    return checked ? parseInt(checked.value, 10) : 0;
  };
  let previous = chosenLength();

  function update() {
    const sum = inputs.reduce((acc, input) => acc + (parseInt(input.value, 10) || 0), 0);
    const length = chosenLength();
    total.textContent = total.dataset.template.replace("{total}", sum).replace("{length}", length);
    total.classList.toggle("text-danger", sum !== length);
  }

  form.querySelectorAll('input[name="length"]').forEach((radio) => {
    radio.addEventListener("change", () => {
      const length = chosenLength();
      const untouched = inputs.every(
        (input) => input.value === input.getAttribute("data-suggested-" + previous)
      );
      if (untouched) {
        inputs.forEach((input) => { input.value = input.getAttribute("data-suggested-" + length); });
      }
      previous = length;
      update();
    });
  });
  inputs.forEach((input) => input.addEventListener("input", update));
  update();
})();
