"use strict";
(function () {
  var tabs = document.querySelectorAll("[data-tab]");
  function openTab(key) {
    tabs.forEach(function (tab) { tab.setAttribute("aria-selected", String(tab.dataset.tab === key)); });
    document.querySelectorAll("[data-panel]").forEach(function (panel) { panel.hidden = panel.dataset.panel !== key; });
  }
  tabs.forEach(function (tab) { tab.addEventListener("click", function () { openTab(tab.dataset.tab); }); });

  var slides = document.querySelectorAll("[data-slide]");
  var thumbs = document.querySelectorAll("[data-thumb]");
  var current = 0;
  function show(index) {
    if (!slides.length) { return; }
    current = (index + slides.length) % slides.length;
    slides.forEach(function (slide, i) { slide.hidden = i !== current; });
    thumbs.forEach(function (thumb, i) { thumb.classList.toggle("current", i === current); });
  }
  var prev = document.querySelector("[data-carousel-prev]");
  var next = document.querySelector("[data-carousel-next]");
  if (prev) { prev.addEventListener("click", function () { show(current - 1); }); }
  if (next) { next.addEventListener("click", function () { show(current + 1); }); }
  thumbs.forEach(function (thumb, i) { thumb.addEventListener("click", function () { show(i); }); });
  document.addEventListener("keydown", function (event) {
    var overview = document.querySelector('[data-panel="overview"]');
    if (!overview || overview.hidden) { return; }
    if (event.key === "ArrowLeft") { show(current - 1); }
    if (event.key === "ArrowRight") { show(current + 1); }
  });

  document.querySelectorAll(".readme-tabs").forEach(function (group) {
    var buttons = group.querySelectorAll("[data-readme-tab]");
    buttons.forEach(function (button) {
      button.addEventListener("click", function () {
        buttons.forEach(function (other) { other.setAttribute("aria-selected", String(other === button)); });
        group.querySelectorAll("[data-readme-panel]").forEach(function (panel) {
          panel.hidden = panel.dataset.readmePanel !== button.dataset.readmeTab;
        });
      });
    });
  });
})();
