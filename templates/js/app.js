console.log("shopgen");
