// Refresh parts of a workspace page (dashboard numbers, job lists) without reloading the page.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-refresh-url]").forEach((region) => {
    const seconds = Number(region.dataset.refreshSeconds) || 15;
    const refresh = async () => {
      // Keep a table that someone has opened (details) or is reading with the keyboard as it is.
      if (region.contains(document.activeElement) && document.activeElement !== document.body) return;
      const response = await fetch(region.dataset.refreshUrl, { headers: { "X-Requested-With": "fetch" } });
      if (response.ok) region.innerHTML = await response.text();
    };
    window.setInterval(() => { refresh().catch(() => {}); }, seconds * 1000);
  });
});
